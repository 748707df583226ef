"""Errors that reach a person as one sentence, never a traceback.

The core says what is wrong in plain words and names the input `field` it is about (the
form field and the action's parameter); it never names a command or an option. Each
front end shows the sentence its own way: the CLI beside the option and with an exit
status, a page beside the field. Subclasses mark the errors whose next step depends on
the front end (the CLI says "run `crm init`", a page says something else).
"""


class CrmError(Exception):
    """A failure the user can act on; `exit_code` follows the CLI contract (1 partial)."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        exit_code: int | None = None,
        *,
        field: str | None = None,
        override: str | None = None,
    ):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
        self.field = field  # the input the sentence is about, when there is one
        self.override = override  # the input that accepts the value anyway, if any


class UsageError(CrmError):
    """Input the action cannot use at all (a bad file, value or setting): exit 2."""

    exit_code = 2


class NotFound(UsageError):
    """The thing named (a store, task, agent, complaint) does not exist."""


class Forbidden(UsageError):
    """The viewer's role may not do this (an agent on a manager's page)."""


class UnknownStore(NotFound):
    """The store code names no store of this database."""


class DatabaseUnavailable(UsageError):
    """The database cannot be opened at all."""


class DatabaseNotReady(UsageError):
    """The database has no tables yet, or tables older than this version."""


class StoreNotEmpty(UsageError):
    """Demo data goes only into a store without customers."""


class NoActiveAgent(CrmError):
    """Calls cannot be handed out: the store has no active agent."""


class SmsTemplateError(UsageError):
    """A store's SMS template cannot be rendered with what its kind is given."""
