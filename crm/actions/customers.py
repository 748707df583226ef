"""Customers at the desk: find one, read their whole history, add, edit, mark lost or deceased."""

from __future__ import annotations

from crm.actions.context import StoreContext


def find_customers(ctx: StoreContext, query: str) -> list[dict]:
    """Customers of the store by phone (however typed), plate, name, VIN or DMS code."""
    from crm.calls.search import search

    if not (query or "").strip():
        from crm.errors import UsageError

        raise UsageError("say what to look for: a phone, plate, name or VIN", field="query")
    with ctx.session() as session:
        return search(session, ctx.store_id, query, ctx.phone_region)


def show_customer(ctx: StoreContext, ref: str) -> dict:
    """One customer (by id, DMS code or phone) with cars, visits, calls, SMS and complaints."""
    from crm.calls.history import customer_history

    with ctx.session() as session:
        customer = _find(session, ctx, ref)
        data = customer_history(session, customer, ctx.locale, ctx.zone, ctx.now)
    data["store"] = ctx.code
    return data


def add_customer(ctx: StoreContext, **given) -> dict:
    """A customer typed in at the desk: name and phone, optionally code, consent and notes."""
    from crm.calls import customers

    with ctx.session() as session:
        customer = customers.add(
            session, ctx.store_id, ctx.actor, ctx.now, ctx.phone_region, **given
        )
        session.commit()
        return _summary(customer)


def edit_customer(ctx: StoreContext, ref: str, **changes) -> dict:
    """Change a customer's name, phone, SMS consent or notes; phone and consent are audited."""
    from crm.calls import customers

    with ctx.session() as session:
        customer = _find(session, ctx, ref)
        changed = customers.edit(session, customer, ctx.actor, ctx.now, ctx.phone_region, **changes)
        session.commit()
        return {**_summary(customer), "changed": sorted(changed)}


def mark_customer(ctx: StoreContext, ref: str, status: str, reason: str = "") -> dict:
    """Mark a customer lost or deceased (with the reason), or active again."""
    from crm.calls import customers

    with ctx.session() as session:
        customer = _find(session, ctx, ref)
        result = customers.mark(session, customer, status, reason, ctx.actor, ctx.now)
        session.commit()
        return {**_summary(customer), **result}


def lapsed_customers(ctx: StoreContext, limit: int | None = None) -> list[dict]:
    """流失预警: the store's cars not in for `followup.lapsed_after_months` or long past their
    maintenance, whose owners are still customers, with their win-back call if planned."""
    from crm.followup.lapsed import lapsed_cars

    with ctx.session() as session:
        return lapsed_cars(session, ctx.store_id, ctx.today, ctx.settings, limit)


def _find(session, ctx: StoreContext, ref: str):
    from crm.calls.lookup import find_customer

    return find_customer(session, ctx.store(session), ref, ctx.phone_region)


def _summary(customer) -> dict:
    return {
        "customer_id": customer.id,
        "customer_code": customer.customer_code,
        "name": customer.name,
        "phone": customer.phone,
        "sms_consent": customer.sms_consent,
        "status": customer.status,
    }
