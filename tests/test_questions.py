"""The question generator: deterministic, disjoint, covering; value forms and noise as people write them."""

import dataclasses
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from homework import conversion_utils as cu
from homework.questions import alike, commands, generator, refusals

def test_generation_is_deterministic_disjoint_and_covers_every_pair():
    valid = generator.generate_questions(600, seed=1)
    train = generator.generate_questions(600, seed=0, exclude={q for q, _ in valid})
    assert generator.generate_questions(600, seed=1) == valid
    assert not {q for q, _ in train} & {q for q, _ in valid}
    assert len({q for q, _ in train}) == 600
    words = " ".join(q for q, _ in generator.generate_questions(len(cu.unit_pairs()), seed=3))
    for unit in cu.UNITS:
        assert any(name in words for name in (unit.name, *unit.aliases)), f"{unit.name} never asked about"
    assert len(generator.TEMPLATES) >= 25
    assert all(abs(a) >= 0.05 for _, a in train), "answers that round to 0 could never be judged right"


def test_train_json_uses_every_form_of_every_unit_in_every_shape(capsys):
    commands.coverage()  # raises SystemExit on a gap or when train.json is not the generator's output
    assert "every form of every unit is used" in capsys.readouterr().out


def test_stories_fit_the_quantity_and_shouted_questions_keep_their_units():
    records = generator.generate_question_records(3000, seed=5)
    for q in records:
        if q.shape == "story":
            assert any(q.text.lower().startswith(t.split("{")[0].lower())
                       for t in generator.STORIES[q.src.dimension]), q.text
        if q.noise == "capitals":
            assert q.text == q.text.upper(), q.text
            assert set(cu.units_in(q.text)) >= {q.src, q.dst}, q.text  # the target derivation still finds them
            # "Mb" shouted would read as "MB", another unit of the same dimension: such questions are not shouted
            assert all(cu.find_unit(f.upper()) in (None, u) or cu.find_unit(f.upper()).dimension != u.dimension
                       for f, u in ((q.src_form, q.src), (q.dst_form, q.dst))), q.text
    assert sum(q.noise == "capitals" and "HOW" in q.text for q in records) > 3
    # 13-digit values only where the coverage plan needs them: a cubic kilometer has no unit of similar size
    assert all(q.value < generator.MAX_VALUE or q.dst.name == "cubic kilometer" or q.src.name == "cubic kilometer"
               or q.value_form == "scale" for q in records)
    assert not cu.is_word("Mb") and not cu.is_word("m") and not cu.is_word("mm^3") and cu.is_word("cubic feet")


def test_every_value_form_and_noise_appears_and_reads_back_to_its_value():
    from homework.questions.quantities import VALUE_FORMS, compound_behind, quantity_candidates

    records = generator.generate_question_records(3000, seed=5)
    assert {q.value_form for q in records} == set(VALUE_FORMS)
    assert {q.noise for q in records} == set(generator.NOISE)
    for q in records:
        if q.value_form == "compound":  # "5 ft 8 in": its parts, summed, give the answer
            assert compound_behind(q.text, q.answer), q.text
            continue
        values = [value for _, value in quantity_candidates(q.text)]
        assert any(abs(v - q.value) < 1e-9 * max(1, abs(q.value)) for v in values), (q.text, q.value, values)
    assert all(q.value < 0 for q in records if q.value_form == "negative")
    assert {q.src.dimension for q in records if q.value_form == "negative"} == {"temperature"}
    typos = [q for q in records if q.noise == "typo"]
    for q in typos:  # one of the two unit words is written wrong, and not as another unit
        wrong = [f for f in (q.src_form, q.dst_form) if not re.search(rf"(?<![A-Za-z]){re.escape(f)}(?![A-Za-z])",
                                                                      q.text, re.IGNORECASE)]
        assert len(wrong) == 1, q.text
    article = [q.text for q in records if q.value_form == "article"]
    assert any(" a " in t or t.startswith("A ") for t in article) and any(" per " in t for t in article)
    assert not any(" per a " in t for t in article)


def test_shouted_symbols_and_everyday_shares_shape_a_drawn_file():
    records = generator.generate_question_records(400, seed=2, noise_share={"typo": 0, "capitals": 1},
                                                  shouted_symbols=1, everyday=1, plan=False)
    assert all(q.src.name in generator.EVERYDAY and q.dst.name in generator.EVERYDAY for q in records)
    shouted = [q for q in records if q.noise == "capitals"]
    assert len(shouted) > 300
    for q in shouted:  # symbols wherever the unit has one that survives capitals: "HOW MANY G IN 2 LB?"
        for unit, form in ((q.src, q.src_form), (q.dst, q.dst_form)):
            symbols = [f for f in cu.forms(unit) if not cu.is_word(f)]
            assert form in symbols or not symbols or q.value_form in ("article", "fraction-words"), q.text
    # dimensions drawn evenly, not by their number of pairs (volume has 4x mass's)
    assert min(Counter(q.src.dimension for q in records).values()) > 400 / len(cu.dimensions()) / 2
    assert any(" G " in f" {q.text} " and q.src.dimension == "mass" for q in shouted)
    # the defaults spend no random numbers on these shares: files made before them are made again
    assert (generator.generate_questions(50, seed=2, shouted_symbols=0, everyday=0)
            == generator.generate_questions(50, seed=2))
    with pytest.raises(SystemExit, match="--everyday 1.5: expected a share from 0 to 1"):
        commands.questions("unused.json", n=1, everyday=1.5)


def test_typo_kinds_and_shortest_word_reach_the_questions():
    from homework.questions.noise import ALL_TYPOS

    share = {"typo": 1.0, "capitals": 0.0}
    records = generator.generate_question_records(300, seed=4, noise_share=share, plan=False,
                                                  typo_kinds=ALL_TYPOS, shortest_typo=4)
    words = {w.strip("?.,").lower() for q in records for w in q.text.split()}
    assert {"fet", "fete", "cpus", "cupps", "pnts", "milse", "hoursr"} & words  # four-letter words slip too
    plain = generator.generate_question_records(300, seed=4, noise_share=share, plan=False)
    assert not {"fet", "fete", "fefet", "cpus", "cupps"} & {w.strip("?.,").lower() for q in plain for w in q.text.split()}
    assert commands._typo_kinds(("drop", "insert"), False) == ("drop", "insert")  # fire's form of drop,insert
    assert commands._typo_kinds("all", False) == ALL_TYPOS
    with pytest.raises(SystemExit, match="--typo_kinds drop,typing: expected 'all' or a comma list of drop, "):
        commands.questions("unused.json", n=1, typo_kinds="drop,typing")
    with pytest.raises(SystemExit, match="--more_typos and --typo_kinds: give one of them"):
        commands.questions("unused.json", n=1, more_typos=True, typo_kinds="all")
    with pytest.raises(SystemExit, match="--shortest_typo 2: expected a whole number of letters, 3 or more"):
        commands.questions("unused.json", n=1, shortest_typo=2)


def test_questions_leave_out_every_excluded_file(tmp_path):
    valid, robust, out = tmp_path / "valid.json", tmp_path / "robust.json", tmp_path / "more.json"
    valid.write_text(json.dumps(generator.generate_questions(20, seed=6)))
    commands.questions(str(out), n=40, seed=6, exclude=str(valid))
    # robust holds questions this very run would write if it read valid only
    robust.write_text(json.dumps([row + ["kind"] for row in json.loads(out.read_text())[:20]]))
    commands.questions(str(out), n=40, seed=6, exclude=f"{valid},{robust}")
    unseen = {q for name in (valid, robust) for q, *_ in json.loads(name.read_text())}
    assert not unseen & {q for q, _ in json.loads(out.read_text())}
    with pytest.raises(SystemExit, match="--exclude nowhere.json: no such file"):
        commands.questions(str(out), n=1, exclude="nowhere.json")


@pytest.mark.parametrize("text,numeral,value", [
    ("How many cups are in a quart?", "1", 1), ("How many ounces in an hour?", "1", 1),
    ("how many inches per foot", "1", 1), ("seven kilograms in pounds", "7", 7), ("forty-five minutes", "45", 45),
    ("How many ml in half a litre?", "0.5", 0.5), ("a quarter of a mile in m", "0.25", 0.25),
    ("1/2 gallon in cups", "(1/2)", 0.5), ("3 1/2 days in hours", "(3+1/2)", 3.5),
    ("one and a half miles in km", "1.5", 1.5), ("three quarters of a pound in oz", "0.75", 0.75),
    ("a third of a cup in tbsp", "(1/3)", 1 / 3), ("a dozen eggs' weight: 2 kg", "12", 12),
    ("I ran .75 miles", "0.75", 0.75), ("1,500 liters in gallons", "1,500", 1500), ("2.5e3 m in km", "2.5e3", 2500),
    ("How many ml in ¾ cup?", "(3/4)", 0.75), ("2½ hours in minutes", "(2+1/2)", 2.5),
    ("2 ½ hours in minutes", "(2+1/2)", 2.5), ("3,5 kg in lb", "3.5", 3.5), ("0,25 l in ml", "0.25", 0.25),
    ("twenty thousand feet in km", "20e3", 20000), ("a billion bytes in GB", "1e9", 1e9),
    ("a quarter million grams", "0.25e6", 250000), ("2.5 million seconds", "2.5e6", 2.5e6), ("3k meters", "3e3", 3000),
    ("-40 F in C", "-40", -40), ("minus 10 C in F", "-10", -10), ("−5 °C in °F", "-5", -5),
    ("fifteen hundred meters in miles", "1500", 1500), ("two hundred fifty thousand cm in km", "250e3", 250000),
    ("three and a half million seconds", "3.5e6", 3.5e6), ("twenty-five thousand feet", "25e3", 25000),
    ("a hundred and twenty km", "120", 120), ("seventy five thousand ft", "75e3", 75000),
    ("three hundred forty grams", "340", 340),
])
def test_quantity_candidates_read_numbers_as_people_write_them(text, numeral, value):
    from homework.questions.quantities import quantity_candidates

    assert (numeral, pytest.approx(value)) in [(n, pytest.approx(v)) for n, v in quantity_candidates(text)]


def test_misspell_makes_one_slip_and_never_another_unit():
    from homework.questions.noise import can_shout, misspell

    rng = random.Random(0)
    for unit in cu.UNITS:
        for form in cu.forms(unit):
            wrong = misspell(form, rng)
            if wrong is not None:
                assert cu.find_unit(wrong) is None and wrong != form and abs(len(wrong) - len(form)) <= 1
    assert misspell("kg", rng) is None
    from homework.questions.noise import ALL_TYPOS, MORE_TYPOS, typo

    for unit in cu.UNITS:  # the slips people also make keep the same promise
        for form in cu.forms(unit):
            wrong = misspell(form, rng, MORE_TYPOS)
            if wrong is not None:
                assert cu.find_unit(wrong) is None and wrong != form, (form, wrong)
    assert "quartz" in {typo("quarts", "sound", random.Random(k)) for k in range(40)}
    assert {typo("mil", "other-row", random.Random(k))[1] for k in range(60)} == set("jk")  # the keys below i
    assert {typo("asd", "other-row", random.Random(k))[1] for k in range(80)} == set("wezx")  # above and below s
    inserted = {typo("mers", "insert", random.Random(k)) for k in range(60)}
    assert inserted == {"mewrs", "merrs", "meres", "merts"}  # a key beside e or r, pressed after it
    assert misspell("feet", rng) is None  # four letters: only when asked for
    short = {misspell("feet", random.Random(k), ALL_TYPOS, shortest=4) for k in range(200)}
    assert "fete" in short and "feet" not in short and None not in short and not any(cu.find_unit(w) for w in short)
    assert can_shout("qt", cu.lookup("qt")) and can_shout("m", cu.lookup("m"))  # "M": a megabyte, not a length
    assert not can_shout("Mb", cu.lookup("Mb")) and not can_shout("b", cu.lookup("b"))


def test_coverage_names_each_gap():
    train, _ = generator.split_records(200, 10)
    *_, gaps = generator.coverage_gaps(train)
    assert gaps and all(" is never used" in g or " never appears in a " in g or " writes its value as " in g
                        or " has noise " in g for g in gaps)
    # noise is drawn, not planned: twice the usual shares give every dimension each kind in 3000 questions
    full = generator.generate_question_records(3000, seed=7, noise_share={"typo": 0.14, "capitals": 0.12})
    assert not generator.coverage_gaps(full)[2]
    *_, gaps = generator.coverage_gaps([q for q in full if not (q.value_form == "fraction" and q.src.dimension == "time")])
    assert gaps == ["no time question writes its value as 'fraction'"]
    *_, gaps = generator.coverage_gaps([dataclasses.replace(q, noise="none") if q.noise == "typo" and q.src.dimension
                                        == "mass" else q for q in full])
    assert gaps == ["no mass question has noise 'typo'"]


def test_committed_data_matches_the_generator():
    data = Path(__file__).resolve().parent.parent / "data"
    valid = json.loads((data / "valid.json").read_text())
    train = json.loads((data / "train.json").read_text())
    assert valid == [list(r) for r in generator.generate_questions(1000, seed=1, dimensions=cu.COURSE_DIMENSIONS)]
    robust = {q for q, *_ in json.loads((data / "robust.json").read_text())}
    for name in ("sft_questions", "rft_questions"):  # the hand-written set stays unseen by training
        assert not robust & {q for q, _ in json.loads((data / f"{name}.json").read_text())}, name
    assert not {q for q, _ in train} & {q for q, _ in valid}
    robust = json.loads((data / "robust.json").read_text())
    assert len(robust) >= 250 and not {q for q, *_ in robust} & {q for q, _ in train + valid}


def test_robust_json_is_the_hand_written_rows_with_table_answers():
    from homework.questions.robust import build

    path = Path(__file__).resolve().parent.parent / "data" / "robust.json"
    assert json.loads(path.read_text()) == build()
    kinds = [row[2] for row in build()]
    everyday = ("no-digit", "words-fractions", "misspelling", "capitals", "british", "dotted", "chatty")
    assert all(kinds.count(kind) >= 6 for kind in everyday) and sum(k in everyday for k in kinds) >= 50
    beyond = ("temperature", "area", "cubed", "compound", "energy-power-pressure", "data-rate-fuel",
              "unicode-fractions", "decimal-commas", "scale-words", "negatives", "other-numbers", "refusal")
    assert sum(k in beyond for k in kinds) >= 150 and all(kinds.count(kind) >= 8 for kind in beyond)
    refusals = [row for row in build() if row[2] == "refusal"]
    assert len(refusals) >= 20 and all(answer is None for _, answer, _ in refusals)
    assert all(answer is not None for _, answer, kind in build() if kind != "refusal")
    compound = dict((q, a) for q, a, kind in build() if kind == "compound")
    assert compound["5 ft 8 in in cm"] == pytest.approx(172.72)  # the parts summed


def test_coverage_reports_on_sfts_questions_made_again_from_their_recipe_stage(capsys):
    commands.coverage(stage="sft_questions")  # all 16 dimensions, questions with no answer too
    out = capsys.readouterr().out
    assert "every form of every unit is used" in out and "no answer: " in out
    with pytest.raises(SystemExit, match="--stage sft: recipes/shipped.toml has no such questions stage; it has "):
        commands.coverage(stage="sft")


@pytest.mark.parametrize("text,parts,target", [
    ("5 ft 8 in in cm", [("5", "foot"), ("8", "inch")], "centimeter"),
    ("How tall is 5'8\" in centimeters?", [("5", "foot"), ("8", "inch")], "centimeter"),
    ("9 lb 2 oz in kg", [("9", "pound"), ("2", "ounce")], "kilogram"),
    ("Convert 2 weeks and 3 days to days.", [("2", "week"), ("3", "day")], "day"),
    ("1 hour, 20 minutes and 30 seconds in seconds", [("1", "hour"), ("20", "minute"), ("30", "second")], "second"),
])
def test_compound_values_read_back_into_their_parts(text, parts, target):
    from homework.questions.quantities import compound_behind

    answer = sum(cu.convert(float(v), unit, target) for v, unit in parts)
    found, dst = compound_behind(text, answer)
    assert [(written, unit.name) for written, _, unit in found] == parts and dst.name == target
    assert compound_behind(text, answer * 1.1) is None


def test_questions_with_no_answer_mix_two_dimensions_and_name_both():
    records = generator.generate_question_records(2000, seed=8, refusals=0.1, compounds=0.1, plan=False)
    refused = [q for q in records if q.answer is None]
    assert 120 < len(refused) < 280 and all(q.src.dimension != q.dst.dimension for q in refused)
    assert all(set(cu.refusal_pair(q.text)) == {q.src, q.dst} for q in refused)  # the target names them
    assert all(q.answer is None or q.src.dimension == q.dst.dimension for q in records)
    assert 120 < sum(q.value_form == "compound" for q in records) < 280
    # half of the drawn questions in the course's six dimensions, the rest spread over the ten others
    course = sum(q.src.dimension in cu.COURSE_DIMENSIONS for q in records if q.answer is not None)
    assert 0.4 < course / sum(q.answer is not None for q in records) < 0.6
    assert len({q.src.dimension for q in records}) == len(cu.dimensions())
    # the plan covers every form, shape, value form and refusal; noise is drawn, so it gets SFT's share of typos
    # (at the default 7%, force's few word forms can go without one in 3000 questions)
    planned = generator.generate_question_records(3000, seed=9, refusals=0.04,
                                                  noise_share={"typo": 0.3, "capitals": 0.2})
    assert not generator.coverage_gaps(planned)[2]
    *_, gaps = generator.coverage_gaps([q for q in planned if not (q.answer is None and "force" in
                                                                   (q.src.dimension, q.dst.dimension))])
    assert gaps == ["no force question is one with no answer"]


def test_the_same_seed_makes_the_same_questions_and_targets_under_any_hash_seed():
    """Files are compared byte for byte with what the recipe makes again: no set order may leak in."""
    import subprocess
    import sys

    code = ("import json; from homework.questions.generator import generate_questions; from homework import sft; "
            "rows = generate_questions(400, 9, refusals=0.2, compounds=0.2, plan=False); "
            "print(json.dumps([rows, [sft.format_example(q, a, True)[1] for q, a in rows]]))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outputs) == 1


def test_no_refusal_pairs_a_unit_with_a_dimension_its_name_also_means():
    """"Ounces in a cup" asks for fluid ounces: training it as a refusal taught the model to refuse it."""
    records = generator.generate_question_records(3000, seed=4, refusals=0.5, plan=False)
    refused = [(q.src, q.dst) for q in records if q.answer is None]
    assert len(refused) > 1000 and not any(refusals.meant_otherwise(a, b) for a, b in refused)
    ounce, cup = cu.lookup("ounce"), cu.lookup("cup")
    assert refusals.meant_otherwise(ounce, cup) and refusals.meant_otherwise(cup, ounce)
    assert not refusals.meant_otherwise(cu.lookup("gram"), cup)  # "grams in a cup" is still refused
    assert any(a.name == "ounce" or b.name == "ounce" for a, b in refused)  # ounce still meets other dimensions
    # where every unit of the other dimensions means otherwise, the degree gets no refusal (and nothing hangs)
    records = generator.generate_question_records(300, seed=1, dimensions=("angle", "temperature"), refusals=0.2)
    refused = [(q.src, q.dst) for q in records if q.answer is None]
    assert refused and all(cu.lookup("degree") not in pair for pair in refused)


def test_the_plan_asks_a_unit_without_a_partner_of_its_size_with_the_big_values_it_needs():
    """A cubic kilometer is a trillion liters: a question into it needs a 13-digit value, drawn nowhere else."""
    records = generator.generate_question_records(1500, seed=3, dimensions=("volume",))
    into = [q for q in records if q.dst.name == "cubic kilometer" and q.value >= 1e9]
    assert len({q.shape for q in into}) == len(generator.SHAPES)
    # written as people write them ("800 trillion", "8e14"), never "800,000,000,000,000"
    assert not any(re.search(r"\d,\d{3},\d{3}", q.text) for q in records)
    written = " ".join(q.text for q in into).lower()
    assert re.search(r"\d(\.\d+)?e1[0-9]\b", written) and re.search(r"\d (billion|trillion)\b", written)
    compound = [q for q in records if q.value_form == "compound"]  # each compound unit keeps its compound job
    assert {q.src.name for q in compound} >= {"liter", "gallon", "cup"}
    # a value in words stands apart from its unit: "2 trillion pts", never "2 trillionpts"
    assert not any(re.search(r"(thousand|million|billion|trillion)[A-Za-z]", q.text) for q in records)
    rng = random.Random(0)
    written = {generator._quantity(value, "kg", rng) for value in ("2 trillion", "6") for _ in range(50)}
    assert {"6kg", "6 kg", "2 trillion kg"} == written  # short symbols glue to digits only


def test_twins_ask_between_units_a_reader_takes_for_each_other():
    """"Mb" is a megabit and "MB" a megabyte, "tb" a terabyte beside terabits, "ounces" a mass beside pounds
    and a volume beside cups, "G" a gram beside ounces: most of valid's misses in the course's dimensions were
    one read as the other."""
    records = generator.generate_question_records(800, seed=2, dimensions=("storage", "mass", "volume"), plan=False,
                                                  twins=1.0, twin_kinds=alike.TWIN_KINDS)
    case = [q for q in records if q.src_form.lower() == q.dst_form.lower()]
    bit_byte = [q for q in records if q.src.name.replace("bit", "byte") == q.dst.name.replace("bit", "byte")
                and q not in case]
    ounces = [q for q in records if "ounce" in q.src.name + q.dst.name and q.src.dimension in ("mass", "volume")]
    shouted = [q for q in records if {q.src_form, q.dst_form} & {"g", "G", "M"} and q not in case + bit_byte + ounces]
    assert len(case) + len(bit_byte) + len(ounces) + len(shouted) == len(records)
    assert min(len(case), len(bit_byte), len(ounces), len(shouted)) > 150
    assert {q.src.name for q in case} >= {"bit", "byte", "megabit", "megabyte", "kilobit", "kilobyte"}
    assert {q.src_form for q in bit_byte} >= {"b", "tb", "Tbit", "kilobits", "kilobytes", "bytes"}
    fluid = [q for q in ounces if q.src.dimension == "volume"]
    assert {f for q in fluid for f in (q.src_form, q.dst_form)} & {"ounces", "ounce", "oz"}  # written loosely
    assert any(q.src.name == "ounce" and q.dst.name == "pound" for q in ounces)
    assert all(q.noise == "capitals" and q.text == q.text.upper() for q in shouted)  # "CONVERT 250 G TO OZ"
    assert {q.src.name for q in shouted} >= {"gram", "gigabyte", "megabyte"}
    for q in records:
        assert q.src is not q.dst and q.src.dimension == q.dst.dimension
        assert q.answer == pytest.approx(cu.convert_units(q.value, q.src, q.dst))
    plain = generator.generate_question_records(300, seed=2, dimensions=("storage",), plan=False)
    assert sum(q.src_form.lower() == q.dst_form.lower() for q in plain) < 30
    shipped = generator.generate_question_records(300, seed=2, dimensions=("storage", "mass"), plan=False, twins=1.0)
    assert not [q for q in shipped if {q.src_form, q.dst_form} & {"g", "G", "M"} and q.noise == "capitals"
                and q.src.name.replace("bit", "byte") != q.dst.name.replace("bit", "byte")]  # shouted: opt-in


def test_a_shouted_symbol_of_two_dimensions_is_asked_beside_its_own(tmp_path):
    """"KN" is a knot and a kilonewton: shouted twins (--twin_kinds shouted) ask it beside a speed or a force, so
    that the other unit says which ("9 CM/S TO KN" has an answer in knots); an unknown kind is named."""
    out = tmp_path / "q.json"
    commands.questions(str(out), n=300, seed=3, plan=False, exclude="", dimensions="speed,force", twins=1.0,
                       twin_kinds="shouted")
    rows = json.loads(out.read_text())
    knots = [q for q, _ in rows if re.search(r"(?<![A-Z])KN\b", q)]  # "5KN" too
    assert len(knots) == len(rows) and all(q == q.upper() for q in knots)
    records = generator.generate_question_records(300, seed=3, dimensions=("speed", "force"), plan=False, twins=1.0,
                                                  twin_kinds=("shouted",))
    assert {q.src.name for q in records} | {q.dst.name for q in records} >= {"knot", "kilonewton"}
    assert all(q.src.dimension == q.dst.dimension and q.noise == "capitals" for q in records)
    with pytest.raises(SystemExit, match="--twin_kinds case,shouting: shouting is not a kind of twins"):
        commands.questions(str(out), n=10, plan=False, exclude="", twins=0.5, twin_kinds="case,shouting")


def test_value_forms_reweights_how_drawn_values_are_written(tmp_path):
    """SFT wrote "a quarter million" as 0.25e3: --value_forms scale=0.06 gives scale words twice their share,
    and a form the generator does not know is named in one sentence rather than ignored."""
    def scale_share(**options):
        records = generator.generate_question_records(1500, seed=4, plan=False, **options)
        return sum(q.value_form == "scale" for q in records) / len(records)
    assert scale_share() < 0.04 < 0.05 < scale_share(value_forms={"scale": 0.06})
    out = tmp_path / "q.json"
    commands.questions(str(out), n=300, plan=False, exclude="", value_forms="scale=1,digits=0")
    assert sum(bool(re.search(r"thousand|million|billion|trillion|\dk\b", q, re.I)) for q, _ in json.loads(out.read_text())) > 150
    for wrong in ("scales=0.1", "scale=x", "scale=2", "compound=0.1"):
        with pytest.raises(SystemExit, match=f"--value_forms {wrong}: expected form=weight pairs"):
            commands.questions(str(out), n=10, plan=False, exclude="", value_forms=wrong)


def test_half_the_drawn_refusals_are_between_units_written_alike():
    """"How many watts are in a kilowatt hour?" was refused by neither adapter: such pairs are drawn on purpose,
    never a mass beside a force ("grams in 2 kgf" means the same thing to the asker)."""
    records = generator.generate_question_records(2000, seed=5, refusals=0.5, plan=False)
    refused = [(q.src, q.dst) for q in records if q.answer is None]
    alike = [(a, b) for a, b in refused if cu.look_alike(a, b)]
    assert len(refused) > 500 and 0.4 < len(alike) / len(refused) < 0.8
    assert not any({a.dimension, b.dimension} == {"mass", "force"} for a, b in alike)
    table = refusals.look_alikes(cu.dimensions())
    assert cu.lookup("kilowatt hour") in table[cu.lookup("watt")]
    assert cu.lookup("kilogram-force") not in table.get(cu.lookup("gram"), [])


def test_questions_says_when_the_coverage_plan_leaves_its_shares_nothing_to_draw(tmp_path, capsys):
    """RFT's 1000 questions were all the coverage plan's, so --twins and --everyday set in the recipe did nothing."""
    records = generator.generate_question_records(generator.plan_size(("storage",)) + 5, seed=3, dimensions=("storage",),
                                                  twins=1.0)
    twin = [q.src.name.replace("bit", "byte") == q.dst.name.replace("bit", "byte") for q in records]
    assert sum(twin[-5:]) == 5 and sum(twin[:-5]) < len(twin) / 3  # the plan ends where drawing begins
    commands.questions(str(tmp_path / "q.json"), n=50, twins=0.5, everyday=0.2, dimensions="storage", exclude="")
    assert "--everyday, --twins change nothing" in capsys.readouterr().err
    commands.questions(str(tmp_path / "q.json"), n=50, twins=0.5, dimensions="storage", exclude="", plan=False)
    commands.questions(str(tmp_path / "q.json"), n=50, dimensions="storage", exclude="")
    assert "change nothing" not in capsys.readouterr().err


def test_a_third_of_the_drawn_compound_values_are_heights():
    """"5'8\" in cm" is the compound people ask most; SFT's questions once had 3 written so in 10000."""
    records = generator.generate_question_records(600, seed=6, compounds=1.0, plan=False)
    compound = [q for q in records if q.value_form == "compound"]
    feet = sum(q.src.name == "foot" for q in compound)
    assert len(compound) > 300 and 0.3 < feet / len(compound) < 0.5
    assert any(re.search(r"\d ?['′] ?\d", q.text) for q in compound if q.src.name == "foot")


def test_spoken_numbers_are_written_and_read_back_to_the_same_value():
    from homework.questions.quantities import quantity_candidates, say, spoken_value, write_value

    rng = random.Random(3)
    for number in (21, 45, 99, 100, 120, 340, 999, 1100, 1500, 1900):
        words = say(number, rng)
        assert spoken_value(words) == number and not any(ch.isdigit() for ch in words), words
    assert say(1500, rng) == "fifteen hundred" and say(62, rng) == "sixty-two"
    for form in ("words", "scale"):
        for _ in range(300):
            text, value = write_value(form, rng, "meter")
            assert value in [v for _, v in quantity_candidates(f"How many km is {text} meters?")], text


def test_ounces_beside_a_volume_are_drawn_and_read_as_fluid_ounces():
    from homework.sft import target

    records = generator.generate_question_records(3000, seed=5, plan=False, course_share=1.0, everyday=1.0)
    loose = [q for q in records if q.dst.name == "fluid ounce" and re.search(r"\b(?:ounces?|oz)\b", q.text)
             and "fl" not in q.text.lower()]
    assert loose, "no fluid ounce is written as plain ounces"
    for q in loose:
        assert "fluid ounce (volume)" in target(q.text, q.answer).names, q.text
    assert target("How many ounces in 2 pounds?", 32.0).names.startswith("pound (mass) to ounce (mass)")


def test_mass_beside_volume_is_refused_often_but_never_the_ounce():
    """The loose ounce of a volume is answered; every other mass beside a volume is a drawn refusal."""
    from homework.sft import target

    records = generator.generate_question_records(2000, seed=7, plan=False, refusals=0.2, course_share=1.0)
    refusals = [q for q in records if q.answer is None]
    mass_volume = [q for q in refusals if {q.src.dimension, q.dst.dimension} == {"mass", "volume"}]
    assert len(mass_volume) > len(refusals) / 8, (len(mass_volume), len(refusals))
    assert not any("ounce" in (q.src.name, q.dst.name) for q in mass_volume)
    for q in mass_volume:
        assert target(q.text, None).names.endswith("cannot be converted "), q.text
