"""The question generator's command lines: the files of data/ and the coverage report.

    python -m homework.questions generate     # data/train.json (6000) and data/valid.json (1000)
    python -m homework.questions coverage     # unit x form, unit x shape, value forms, noise; exit 1 on a gap
    python -m homework.questions coverage --stage sft_questions   # the same for SFT's questions, every dimension
    python -m homework.questions questions data/rft_questions.json --n 1000 --seed 23
    python -m homework.questions robust       # data/robust.json, the hand-written set
"""

import inspect
import json
import sys
import tomllib
from pathlib import Path

from ..cli import comma_list
from ..conversion_utils import COURSE_DIMENSIONS, UNITS, dimensions, forms
from .generator import (NOISE, NOISE_SHARE, SHAPES, VALUE_FORMS, coverage_gaps, generate_question_records, plan_size,
                        split_records)
from .noise import ALL_TYPOS, MORE_TYPOS, SHORTEST_TYPO, TYPOS
from .alike import DEFAULT_TWIN_KINDS, TWIN_KINDS
from .quantities import VALUE_FORM_SHARE


def write_json(path: Path, rows) -> None:
    """Write rows atomically: a stopped run leaves the old file or the new one, never half of one."""
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    tmp.replace(path)


def generate(train_size: int = 6000, valid_size: int = 1000, seed: int = 0, out_dir: str = "data") -> None:
    """Write data/train.json and data/valid.json: disjoint, deterministic for a seed."""
    train, valid = split_records(train_size, valid_size, seed)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for name, records in (("train", train), ("valid", valid)):
        path = Path(out_dir) / f"{name}.json"
        write_json(path, [[q.text, q.answer] for q in records])
        print(f"wrote {len(records)} questions to {path}")


def coverage(train_size: int = 6000, valid_size: int = 1000, seed: int = 0, data_dir: str = "data",
             stage: str | None = None, recipe: str = "recipes/shipped.toml") -> None:
    """Report how often train.json uses each form of each unit, each unit in each sentence shape, each
    value form and each kind of noise; exit 1 on a gap, or when train.json is not this generator's output.

    --stage NAME reports instead on the file that a `questions` stage of --recipe writes (sft_questions:
    every dimension, questions with no answer too), made again from the stage's arguments and compared
    with the copy in --data_dir.
    """
    if stage:
        records, path, dims = _stage_records(stage, Path(recipe), Path(data_dir))
    else:
        records, _ = split_records(train_size, valid_size, seed)
        path, dims = Path(data_dir) / "train.json", COURSE_DIMENSIONS
        if json.loads(path.read_text()) != [[q.text, q.answer] for q in records]:
            raise SystemExit(f"{path} is not what `generate --train_size {train_size} --valid_size {valid_size} "
                             f"--seed {seed}` writes; regenerate it or pass the sizes it was made with")
    forms_used, shapes_used, gaps = coverage_gaps(records, dims)
    units = [u for u in UNITS if dims is None or u.dimension in dims]
    print(f"{path}: {len(records)} questions, {len(units)} units, {len(forms_used)} forms, {len(SHAPES)} shapes")
    print("unit: form count ... | " + " ".join(SHAPES))
    for unit in units:
        form_counts = ", ".join(f"{f} {forms_used[unit.name, f]}" for f in forms(unit))
        shape_counts = " ".join(str(shapes_used[unit.name, s]) for s in SHAPES)
        print(f"{unit.name}: {form_counts} | {shape_counts}")
    print("value forms: " + ", ".join(f"{f} {sum(q.value_form == f for q in records)}" for f in VALUE_FORMS))
    print("noise: " + ", ".join(f"{k} {sum(q.noise == k for q in records)}" for k in NOISE))
    print(f"no answer: {sum(q.answer is None for q in records)}")
    for gap in gaps:
        print(f"gap: {gap}")
    if gaps:
        raise SystemExit(f"{len(gaps)} coverage gaps in {path}")
    print("every form of every unit is used, every unit appears in every shape, and every dimension "
          "with every value form and every kind of noise")


def _stage_records(stage: str, recipe: Path, data_dir: Path):
    """(the records a `questions` stage writes, the copy of its file in data_dir, its dimensions)."""
    stages = {s["name"]: s for s in tomllib.loads(recipe.read_text()).get("stage", [])}
    if stages.get(stage, {}).get("command") != "homework.questions questions":
        names = [n for n, s in stages.items() if s["command"] == "homework.questions questions"]
        raise SystemExit(f"--stage {stage}: {recipe} has no such questions stage; it has {', '.join(names)}")
    args = dict(stages[stage]["args"])
    path = data_dir / Path(args.pop("output_json")).name
    excluded = _excluded([str(data_dir / Path(name).name) for name in comma_list(args.pop("exclude", ""))])
    records = _records(excluded=excluded, **args)
    if json.loads(path.read_text()) != [[q.text, q.answer] for q in records]:
        raise SystemExit(f"{path} is not what the stage {stage} of {recipe} writes; run the recipe again")
    return records, path, _dimensions(args.get("dimensions"))


def questions(output_json: str, n: int = 4000, seed: int = 7, exclude: str | tuple = "data/valid.json",
              typos: float = NOISE_SHARE["typo"], capitals: float = NOISE_SHARE["capitals"],
              shouted_symbols: float = 0.0, everyday: float = 0.0, plan: bool = True,
              more_typos: bool = False, typo_kinds: str | tuple | None = None,
              shortest_typo: int = SHORTEST_TYPO, dimensions: str | tuple | None = None, course_share: float = 0.5,
              refusals: float = 0.0, compounds: float = 0.0, twins: float = 0.0,
              value_forms: str | tuple | None = None, twin_kinds: str | tuple | None = None) -> None:
    """Write n more [question, answer] pairs (e.g. for datagen), none of them in the `exclude` file(s):
    "--exclude data/valid.json,data/robust.json" keeps both sets unseen.

    --typos and --capitals set the share of questions with each kind of noise (RFT's questions carry
    more of it than train.json: the kinds SFT gets wrong most often are where sampling can teach most).
    --shouted_symbols is the share of the shouted ones whose units are symbols ("500 MG TO G"), and
    --everyday the share of questions between two EVERYDAY units (grams, cups, miles, hours...).
    The first questions (2823 for all dimensions) follow the coverage plan, whose forms and units are
    fixed; --plan False skips it, so these shares hold for every question. --more_typos adds slips to the
    key row above or below and words spelled by their sound ("2 quartz", "5 gramz") to the typos.
    --typo_kinds names the kinds instead, comma-separated, from drop, double, swap, replace, other-row,
    sound and insert (a key pressed beside another, "meteres"), or "all". --shortest_typo 4 lets four-letter
    words be mistyped ("3 fete", "2 cupps"); the default, 5, leaves them whole.
    --dimensions names the dimensions asked about, comma-separated ("course": the course's six; default:
    all); --course_share is the share of drawn questions in the course's six, the rest spread evenly over
    the others. --refusals is the share of questions between two dimensions, whose answer is null (no
    conversion exists), --compounds the share with a compound value ("5 ft 8 in", "1 h 45 min"), and
    --twins the share between two units a reader takes for each other (alike.py: "How many Mb in 3 MB?",
    "terabits in 4 tb", "Ounces in 3 pounds?"), of the kinds --twin_kinds names, comma-separated, from case,
    bit-byte, ounce and shouted ("9 CM/S TO KN": a symbol of two dimensions in capitals), or "all"; default:
    the first three. --value_forms reweights how drawn values are written,
    "scale=0.06" giving twice the default weight to scale words ("a quarter million"; the others as in
    quantities.VALUE_FORM_SHARE).
    """
    excluded = _excluded(comma_list(exclude or ""))
    path = Path(output_json)
    write_json(path, [[q.text, q.answer] for q in _records(
        n, seed, excluded, typos, capitals, shouted_symbols, everyday, plan, more_typos, typo_kinds, shortest_typo,
        dimensions, course_share, refusals, compounds, twins, value_forms, twin_kinds)])
    print(f"wrote {n} questions to {path}")
    planned = plan_size(_dimensions(dimensions), refusals > 0) if plan else 0
    drawn_only = {"shouted_symbols": shouted_symbols, "everyday": everyday, "course_share": course_share,
                  "compounds": compounds, "twins": twins, "value_forms": value_forms, "twin_kinds": twin_kinds}
    defaults = inspect.signature(questions).parameters
    idle = [f"--{option}" for option, value in drawn_only.items() if value != defaults[option].default]
    if idle and n <= planned:
        print(f"note: the coverage plan's {planned} questions fill all {n}, so {', '.join(idle)} change nothing "
              "(they apply to drawn questions); --plan False draws every question", file=sys.stderr)


def _records(n: int = 4000, seed: int = 7, excluded: frozenset = frozenset(), typos: float = NOISE_SHARE["typo"],
             capitals: float = NOISE_SHARE["capitals"], shouted_symbols: float = 0.0, everyday: float = 0.0,
             plan: bool = True, more_typos: bool = False, typo_kinds=None, shortest_typo: int = SHORTEST_TYPO,
             dimensions=None, course_share: float = 0.5, refusals: float = 0.0, compounds: float = 0.0,
             twins: float = 0.0, value_forms=None, twin_kinds=None):
    """The records `questions` writes, its options checked: one sentence naming the option when wrong."""
    if not (0 <= typos and 0 <= capitals and typos + capitals <= 1):
        raise SystemExit(f"--typos {typos} and --capitals {capitals}: expected shares from 0 to 1 that sum to at most 1")
    for option, share in (("shouted_symbols", shouted_symbols), ("everyday", everyday),
                          ("course_share", course_share), ("refusals", refusals), ("compounds", compounds),
                          ("twins", twins)):
        if not 0 <= share <= 1:
            raise SystemExit(f"--{option} {share}: expected a share from 0 to 1")
    kinds = _typo_kinds(typo_kinds, more_typos)
    if not (isinstance(shortest_typo, int) and shortest_typo >= 3):
        raise SystemExit(f"--shortest_typo {shortest_typo}: expected a whole number of letters, 3 or more")
    return generate_question_records(n, seed=seed, exclude=excluded, noise_share={"typo": typos, "capitals": capitals},
                                     shouted_symbols=shouted_symbols, everyday=everyday, plan=plan,
                                     typo_kinds=kinds, shortest_typo=shortest_typo,
                                     dimensions=_dimensions(dimensions), course_share=course_share,
                                     refusals=refusals, compounds=compounds, twins=twins,
                                     value_forms=_value_forms(value_forms), twin_kinds=_twin_kinds(twin_kinds))


def _twin_kinds(text) -> tuple[str, ...]:
    """The kinds of twins that --twin_kinds names ("case,shouted", "all"); None: alike.DEFAULT_TWIN_KINDS."""
    if text is None:
        return DEFAULT_TWIN_KINDS
    if text == "all":
        return TWIN_KINDS
    names, unknown = _listed(text, TWIN_KINDS)
    if unknown:
        raise SystemExit(f"--twin_kinds {text}: {', '.join(unknown)} is not a kind of twins; expected some of "
                         f"{', '.join(TWIN_KINDS)}, comma-separated, or all")
    return names


def _value_forms(text) -> dict[str, float] | None:
    """The weights that --value_forms gives ("scale=0.06,words=0.1"), each a value form and a number from 0 to 1."""
    if text is None:
        return None
    weights, known = {}, [form for form in VALUE_FORM_SHARE if form != "compound"]
    for part in comma_list(text):
        name, _, weight = str(part).partition("=")
        try:
            weights[name.strip()] = float(weight)
        except ValueError:
            weights[name.strip()] = -1.0
        if name.strip() not in known or not 0 <= weights[name.strip()] <= 1:
            raise SystemExit(f"--value_forms {text}: expected form=weight pairs, comma-separated, a weight from 0 to 1 "
                             f"for a form of {', '.join(known)} (e.g. scale=0.06; compounds: --compounds)")
    return weights


def _excluded(files) -> frozenset:
    """The questions of the files that --exclude names."""
    for name in files:
        if name and not Path(name).is_file():
            raise SystemExit(f"--exclude {name}: no such file (expected a JSON list of [question, answer, ...] rows)")
    return frozenset(row[0] for name in files if name for row in json.loads(Path(name).read_text()))


def _listed(value, known) -> tuple[tuple[str, ...], list[str]]:
    """The names an option lists, comma-separated ("drop,swap"), and those of them not in known."""
    names = tuple(str(name).strip() for name in comma_list(value))
    return names, [name for name in names if name not in known]


def _dimensions(names) -> tuple[str, ...] | None:
    """The dimensions that --dimensions names: None (all), "course", or a comma list."""
    if names is None or names == "":
        return None
    if names == "course":
        return COURSE_DIMENSIONS
    chosen, unknown = _listed(names, dimensions())
    if unknown or not chosen:
        raise SystemExit(f"--dimensions {names}: expected 'course' or a comma list of {', '.join(dimensions())}")
    return chosen


def _typo_kinds(names, more_typos: bool) -> tuple[str, ...]:
    """The typo kinds that --typo_kinds names: "all", or a comma list."""
    if names is None:
        return MORE_TYPOS if more_typos else TYPOS
    if more_typos:
        raise SystemExit("--more_typos and --typo_kinds: give one of them (--more_typos is "
                         f"--typo_kinds {','.join(MORE_TYPOS)})")
    if names == "all":
        return ALL_TYPOS
    kinds, unknown = _listed(names, ALL_TYPOS)
    if unknown or not kinds:
        raise SystemExit(f"--typo_kinds {names}: expected 'all' or a comma list of {', '.join(ALL_TYPOS)}")
    return kinds


def robust(out: str = "data/robust.json") -> None:
    """Write the hand-written robustness set (homework/questions/robust.py) with answers from the unit table."""
    from .robust import build

    rows = build()
    write_json(Path(out), rows)
    print(f"wrote {len(rows)} questions to {out}")


COMMANDS = {"generate": generate, "questions": questions, "coverage": coverage, "robust": robust}
