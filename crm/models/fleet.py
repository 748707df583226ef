"""Vehicles, who owned them when, and their shop visits."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from crm.models.base import code_field, created_at_field, moment_field, one_of, updated_at_field


class ServiceType(StrEnum):
    FIRST_SERVICE = "first_service"
    MAINTENANCE = "maintenance"
    REPAIR = "repair"
    WARRANTY = "warranty"
    BODYWORK = "bodywork"
    OTHER = "other"


class Vehicle(SQLModel, table=True):
    """A car the store sold or serves, identified by its VIN."""

    __table_args__ = (
        Index("ix_vehicle_store_delivery", "store_id", "delivery_date"),
        Index("ix_vehicle_store_maintenance_due", "store_id", "maintenance_due_on"),
        Index("ix_vehicle_maintenance_predicted", "store_id", "maintenance_predicted_at"),
        Index("ix_vehicle_store_updated", "store_id", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    vin: str = code_field(17, unique=True)
    plate: str | None = code_field(16, default=None)
    model: str
    delivery_date: date
    sales_consultant: str | None = None
    owner_id: int = Field(foreign_key="customer.id", index=True)
    # The maintenance prediction (定保), kept until a visit or a reading makes it stale
    # (maintenance_predicted_at back to NULL); see crm.followup.maintenance.
    maintenance_due_on: date | None = None
    maintenance_pace_km_day: float | None = None
    maintenance_readings: int | None = None
    maintenance_basis_visit_id: int | None = None
    maintenance_predicted_at: datetime | None = moment_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()


class VehicleOwnership(SQLModel, table=True):
    """One owner's stretch with a vehicle; an owner change ends one and starts the next."""

    __tablename__ = "vehicle_ownership"
    __table_args__ = (
        Index("ix_ownership_vehicle", "vehicle_id", "started_on"),
        Index("ix_ownership_started_current", "started_on", "ended_on"),
        Index("ix_ownership_recorded", "recorded_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    vehicle_id: int = Field(foreign_key="vehicle.id")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    started_on: date
    ended_on: date | None = None
    recorded_at: datetime = created_at_field()


class ServiceVisit(SQLModel, table=True):
    """A repair order (工单): one shop visit of one vehicle."""

    __tablename__ = "service_visit"
    __table_args__ = (
        UniqueConstraint("store_id", "ro_number", name="uq_visit_store_ro"),
        Index("ix_visit_vehicle_date", "vehicle_id", "visit_date"),
        Index("ix_visit_store_date", "store_id", "visit_date"),
        Index("ix_visit_store_updated", "store_id", "updated_at"),
        CheckConstraint(one_of("service_type", ServiceType), name="ck_visit_service_type"),
        CheckConstraint("odometer_km >= 0", name="ck_visit_odometer"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    ro_number: str = code_field(64)
    vehicle_id: int = Field(foreign_key="vehicle.id")
    customer_id: int = Field(foreign_key="customer.id", index=True)  # owner at the visit
    visit_date: date
    odometer_km: int
    service_type: str = code_field(16)
    service_advisor: str | None = None
    # Money as integer fen (0.01 yuan): exact on SQLite and PostgreSQL alike.
    revenue_cents: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
