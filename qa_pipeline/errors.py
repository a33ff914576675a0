"""Errors worded for the person running the command: what is wrong and how to fix it."""


class QaError(Exception):
    """Base for errors the CLI shows as one line (exit code 2)."""


class InputError(QaError):
    """Bad input: names the file and the problem."""

    def __init__(self, path: object, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")
