"""The question generator: [question, answer] pairs as people type them, and the hand-written robust set.

    generator.py         Question, generate_questions, split_records, the coverage plan and its gaps
    templates.py         the sentence shapes and stories a question is written in
    quantities.py        how a value is written ("a quart", "seven", "three hundred and forty", "1/2", "¾",
                         "3,5", "twenty thousand", "5 ft 8 in") and read back from a question
    noise.py             typing slips in unit words, questions in capitals
    refusals.py          the two units of a question with no answer: never one meant otherwise ("ounces
                         in a cup"), often one written alike ("watts in a kilowatt hour") or a mass beside
                         a volume ("pounds to liters")
    robust.py            data/robust.json from robust.toml: hand-written questions by kind of phrasing
    commands.py          python -m homework.questions generate|questions|coverage|robust

It knows no factor that is not in the unit table (homework/unit_table.py).
"""

from .generator import Question, generate_questions, split_records  # noqa: F401
