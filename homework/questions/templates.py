"""The sentence templates of generated questions: SHAPES by where the number and units stand, and
STORIES whose words fit what is measured. Pure data; homework.questions fills them in.
"""

# How people type conversion questions, grouped by sentence shape: where the number and the two
# units stand. {v} is the value, {a} the source unit, {b} the target unit; {q} is "{v} {a}" written
# together, with or without a space ("6 kg", "6kg").
SHAPES: dict[str, tuple[str, ...]] = {
    # the target unit named before the number
    "how-many": (
        "How many {b} are there per {q}?",
        "How many {b} are in {q}?",
        "How many {b} is {q}?",
        "Can you tell me how many {b} are in {q}?",
        "I need to know how many {b} are in {q}.",
        "how many {b} in {q}",
        "Tell me the number of {b} in {q}.",
        "Find how many {b} make up {q}.",
        "How many {b} would {q} be?",
    ),
    # number, source, then target, as an instruction
    "convert": (
        "Convert {q} to {b}.",
        "convert {q} to {b}",
        "Convert {q} into {b}.",
        "Could you convert {q} to {b}?",
        "Please convert {q} to {b}.",
        "Change {q} to {b}.",
        "Turn {q} into {b}, please.",
        "Express {q} in {b}.",
        "Give me {q} expressed in {b}.",
        "Determine the value of {q} in {b}.",
    ),
    # a question about the quantity
    "what-is": (
        "What is {q} in {b}?",
        "What is the measurement of {q} when converted into {b}?",
        "How does {q} measure in {b}?",
        "What is the equivalent of {q} in {b}?",
        "How much is {q} in {b}?",
        "What do {q} equal in {b}?",
        "What's {q} in {b}?",
        "What would {q} be in {b}?",
    ),
    # the quantity first, terse
    "quantity-first": (
        "{q} is how many {b}?",
        "{q} = ? {b}",
        "{q} to {b}",
        "{q} in {b}",
        "{q} equals how many {b}?",
        "{q} -> {b}",
        "{q} = how many {b}",
    ),
    # the target unit first, then the quantity
    "target-first": (
        "In {b}, how much is {q}?",
        "In {b}, what is {q}?",
        "Express in {b}: {q}",
        "{b} in {q}?",
        "Number of {b} in {q}?",
        "Give the answer in {b}: how much is {q}?",
    ),
    # both units named before the number
    "units-first": (
        "{a} to {b}: {v}",
        "Convert from {a} to {b}: {v}",
        "From {a} to {b}, what is {v}?",
        "{a} -> {b}: {v}",
        "Convert {a} to {b} for a value of {v}.",
        "Going from {a} to {b}, how much is {v}?",
    ),
    # another number in the question ({n}: a year, a count, a flight or room number): the value is the
    # number that goes with the unit
    "other-number": (
        "In {n} I measured {q}. How many {b} is that?",
        "Flight {n} carried {q}; what is that in {b}?",
        "Room {n} reads {q}. Convert it to {b}.",
        "Question {n}: how many {b} are in {q}?",
        "Item #{n} is listed as {q}. What is that in {b}?",
        "For my {n} guests I have {q}. How much is that in {b}?",
        "Back in {n} it was {q}. Give that in {b}.",
        "Order {n}: {q} in {b}?",
        "I bought {n} boxes and {q}. How many {b} is that?",  # a count beside the value, joined by "and"
        "{q} for {n} people: how much is that in {b}?",  # the other number after the value
        "Day {n} of the trip: {q}. What is that in {b}?",
        "Ticket #{n}: {q}. How many {b} is that?",
        "We are {n} friends and we have {q}. How much is that in {b}?",
        "Box {n} of 12 holds {q}. What is that in {b}?",  # two other numbers, one on each side
        "Page {n}, line 4: {q}. Convert it to {b}.",
        "Since {n} we have had {q}. How many {b} is that?",
        "Car {n} has {q} left. How much is that in {b}?",
    ),
    # a sentence of context around the quantity
    "context": (
        "If I have {q}, how many {b} do I have?",
        "Something measures {q}. What is that in {b}?",
        "The value is {q}. Convert it to {b}.",
        "I have {q}; how much is that in {b}?",
        "My reading says {q}. How many {b} is that?",
        "We measured {q}. Please give it in {b}.",
    ),
}
# a story about a thing that has the quantity: the words depend on what is measured, so the shape's
# templates come from STORIES by the units' dimension ("The rope is 5 m long", not "The rope is 5 kg long")
SHAPES["story"] = ()
STORIES: dict[str, tuple[str, ...]] = {
    "length": (
        "The rope is {q} long. How many {b} is that?",
        "A trail runs for {q}; what is that in {b}?",
        "My desk is {q} wide. Give its width in {b}.",
        "We drove {q} today. How far is that in {b}?",
        "The pipe measures {q}, how long is it in {b}?",
    ),
    "mass": (
        "The parcel weighs {q}. How many {b} is that?",
        "A recipe calls for {q} of sugar; how much is that in {b}?",
        "My suitcase weighs {q}. What's its weight in {b}?",
        "The bag of rice holds {q}. Give that in {b}.",
        "He lifted {q}, how heavy is that in {b}?",
    ),
    "volume": (
        "The bottle holds {q} of water. How many {b} is that?",
        "A tank contains {q}; express it in {b}.",
        "The recipe uses {q} of milk. What is that in {b}?",
        "We poured {q} into the pot. How much is that in {b}?",
        "The pool has {q} of water, how many {b} is that?",
    ),
    "time": (
        "The trip took {q}. How many {b} is that?",
        "A download lasted {q}; what is that in {b}?",
        "The meeting ran for {q}. Express it in {b}.",
        "She waited {q}. How long is that in {b}?",
        "The battery lasts {q}, how many {b} is that?",
    ),
    "speed": (
        "The car was going {q}. What is that in {b}?",
        "The wind blows at {q}; how fast is that in {b}?",
        "A runner averages {q}. How many {b} is that?",
        "The train travels at {q}. Give its speed in {b}.",
        "A boat moves at {q}, what is that in {b}?",
    ),
    "storage": (
        "The file is {q}. How many {b} is that?",
        "My phone has {q} free; what is that in {b}?",
        "The download was {q} of data. Express it in {b}.",
        "This video takes up {q}. How big is it in {b}?",
        "The backup holds {q}, how many {b} is that?",
    ),
    "temperature": (
        "The oven is set to {q}. What is that in {b}?",
        "It was {q} outside today; how warm is that in {b}?",
        "Water in the pot reached {q}. Give it in {b}.",
    ),
    "area": (
        "The flat has {q} of floor space. How many {b} is that?",
        "A field covers {q}; what is that in {b}?",
        "We painted {q} of wall. Express it in {b}.",
    ),
    "energy": (
        "The snack has {q}. How many {b} is that?",
        "The heater used {q} today; what is that in {b}?",
        "A battery stores {q}. Give it in {b}.",
    ),
    "power": (
        "The engine makes {q}. What is that in {b}?",
        "A kettle draws {q}; how much is that in {b}?",
        "The plant produces {q}. Express it in {b}.",
    ),
    "pressure": (
        "The tyre is at {q}. What is that in {b}?",
        "Air pressure today is {q}; give it in {b}.",
        "The tank holds gas at {q}. How many {b} is that?",
    ),
    "frequency": (
        "The radio station is at {q}. What is that in {b}?",
        "The processor runs at {q}; how many {b} is that?",
        "A tone of {q}, expressed in {b}?",
    ),
    "angle": (
        "The ramp rises at {q}. What is that in {b}?",
        "Turn the wheel by {q}; how much is that in {b}?",
        "The arc spans {q}. Give it in {b}.",
    ),
    "data rate": (
        "My internet plan is {q}. What is that in {b}?",
        "The download runs at {q}; how fast is that in {b}?",
        "The link carries {q}. Express it in {b}.",
    ),
    "force": (
        "The rope holds {q}. What is that in {b}?",
        "The press pushes with {q}; how much is that in {b}?",
        "A load of {q}, expressed in {b}?",
    ),
    "fuel economy": (
        "My car does {q}. What is that in {b}?",
        "The van gets {q}; how much is that in {b}?",
        "A hybrid rated at {q}: give it in {b}.",
    ),
}
# a unit's size asked with no number at all: {a} is the singular source unit, {an} the same with its
# article ("a quart"); the value is 1. Used for some questions of the "article" value form.
PER: tuple[str, ...] = (
    "How many {b} per {a}?",
    "How many {b} are there per {a}?",
    "{b} per {a}?",
    "How many {b} in {an}?",
    "How many {b} make up {an}?",
    "How many {b} are in one {a}?",
)
TEMPLATES: tuple[str, ...] = tuple(t for group in (*SHAPES.values(), *STORIES.values(), PER) for t in group)
