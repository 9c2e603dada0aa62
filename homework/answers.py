"""The answer rules in one place: read the model's <answer>, evaluate its arithmetic safely, judge it.

The model writes an expression ("6 * 1 / 0.001"); parse_answer evaluates it and is_answer_valid
compares it with the expected value (None where no conversion exists: then only no number is right).
Datagen, the benchmark and the grader all call these functions, so there is one rule. Nothing here
reads the question.
"""

import ast
import math
import operator
import re

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}
MAX_EXPRESSION_CHARS = 200
MAX_EXPONENT = 100
MAX_NODES = 64


def safe_eval(expression: str) -> float:
    """Evaluate numbers with + - * / ** (or ^), parentheses and unary minus, without eval().

    Anything else, and anything too long or too large, gives NaN; it never raises.
    safe_eval("4 * (3 + 0.5) ^ 2") -> 49.0
    """
    if not isinstance(expression, str) or len(expression) > MAX_EXPRESSION_CHARS:
        return math.nan
    try:
        tree = ast.parse(expression.replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return math.nan
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        return math.nan
    try:
        result = _eval_node(tree.body)
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return math.nan
    return float(result) if math.isfinite(result) else math.nan


def _eval_node(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval_node(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval_node(node.left), _eval_node(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ValueError("exponent too large")
        return _BINARY[type(node.op)](left, right)
    raise ValueError(f"not allowed: {type(node).__name__}")


_ANSWER = re.compile(r"<answer>(.*?)(?:</answer>|$)", re.DOTALL)
_ARITHMETIC_PREFIX = re.compile(r"(?:[\d\s.+\-*/^()]|(?<=\d)[eE][-+]?\d)+")


def parse_answer(text: str) -> float:
    """The value inside <answer>...</answer>: a number or an arithmetic expression; NaN if none.

    parse_answer("<answer>6 * 1000</answer>") -> 6000.0
    parse_answer("<answer>1,234.5 kg") -> 1234.5
    """
    match = _ANSWER.search(text) if isinstance(text, str) else None
    if not match:
        return math.nan
    inner = match.group(1).strip()
    if not inner or len(inner) > MAX_EXPRESSION_CHARS:
        return math.nan
    expression = re.sub(r"(?<=\d),(?=\d{3}\b)", "", inner)  # thousands separators
    expression = expression.replace("×", "*").replace("÷", "/").rstrip(". ")
    value = safe_eval(expression)
    if not math.isnan(value):
        return value
    prefix = _ARITHMETIC_PREFIX.match(expression)  # arithmetic followed by a unit or words: "6 * 1000 g"
    return safe_eval(prefix.group(0)) if prefix and prefix.end() < len(expression) else math.nan


NO_ANSWER = re.compile(r"<answer>\s*none\s*</answer>", re.IGNORECASE)


def is_refusal(completion: str) -> bool:
    """Whether a completion says that no conversion exists: "... cannot be converted <answer>none</answer>"."""
    return isinstance(completion, str) and bool(NO_ANSWER.search(completion))


def refusal_sentence(completion: str) -> str | None:
    """The sentence before a refusal's <answer>none</answer>, as `ask` prints it; None when not a refusal."""
    match = NO_ANSWER.search(completion) if isinstance(completion, str) else None
    return completion[:match.start()].strip() or "no conversion exists" if match else None


def is_answer_valid(answer: float, correct_answer: float | None, relative_tolerance: float = 0.05) -> bool:
    """Right within 5% after rounding both to 3 decimals; NaN is never right, except where no answer
    exists (correct_answer None: a question between two dimensions), where only no number is right.
    (6010, 6000) -> True; (nan, None) -> True."""
    no_number = answer is None or math.isnan(answer) or math.isinf(answer)
    if correct_answer is None:
        return no_number
    if no_number:
        return False
    expected = round(correct_answer, 3)
    return abs(round(answer, 3) - expected) < relative_tolerance * abs(expected)
