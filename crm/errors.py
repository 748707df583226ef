"""Errors that reach the user as one sentence and an exit status, never a traceback."""


class CrmError(Exception):
    """A failure the user can act on; `exit_code` follows the CLI contract."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(CrmError):
    """Input the command cannot use at all (a bad file, option or setting): exit 2."""

    exit_code = 2
