"""The command lines' one shared step: check each option against its function's signature first.

fire hands a function whatever the user typed: "--learning_rate abc" would reach the trainer as the
string "abc" and fail pages later. checked() turns such a value into one sentence that names the
option and what it expects, before any work starts.
"""

import functools
import inspect
import types
import typing

_EXPECTED = {int: "a whole number", float: "a number", bool: "true or false", str: "a text"}


def _accepts(kind, value) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is bool:
        return isinstance(value, bool)
    if kind is str:
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)  # "--dataset 2" is a name
    return True


def check_option(name: str, annotation, value) -> None:
    """SystemExit naming the option when value does not fit its annotation:
    check_option("learning_rate", float, "abc") -> SystemExit("--learning_rate: expected a number, got 'abc'")."""
    kinds = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    if value is None and type(None) in kinds:
        return
    if any(isinstance(k, type) and k not in _EXPECTED and isinstance(value, k) for k in kinds):
        return  # "--typo_kinds drop,swap" comes from fire as a tuple, which str | tuple accepts
    known = [k for k in kinds if k in _EXPECTED]
    if known and not any(_accepts(k, value) for k in known):
        expected = " or ".join(_EXPECTED[k] for k in known) + (" (or None)" if type(None) in kinds else "")
        raise SystemExit(f"--{name}: expected {expected}, got {value!r}")


def checked(function):
    """The function with its keyword options checked against its annotations before it runs."""
    signature = inspect.signature(function)
    hints = typing.get_type_hints(function)

    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            raise SystemExit(f"{function.__name__.replace('_', ' ')}: {error}") from None
        for name, value in bound.arguments.items():
            if name in hints and signature.parameters[name].kind not in (inspect.Parameter.VAR_POSITIONAL,
                                                                         inspect.Parameter.VAR_KEYWORD):
                check_option(name, hints[name], value)
        return function(*args, **kwargs)

    return run


def comma_list(value) -> tuple:
    """The parts of an option written "a,b": fire hands that over as the tuple ("a", "b"), "a" as a text."""
    return value if isinstance(value, tuple) else tuple(str(value).split(","))


def main(commands) -> None:
    """fire over these commands (a dict of them, or one function), each checked: the
    `if __name__ == "__main__"` of every module."""
    import fire

    fire.Fire(checked(commands) if callable(commands) else {name: checked(f) for name, f in commands.items()})
