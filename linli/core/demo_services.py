"""Issue 20's part of the demo city (item 8), after the registry and the history: the service catalogue with
its providers, volunteers with a year of activities and their hours in the time bank, each street's
resource and expert library, and projects in every state. Each part builds once (it does nothing when its
rows exist), so a second run adds nothing."""

from __future__ import annotations

from linli.people.models import Person

PERSONS_PER_PROJECT_ROUND = 10_000  # the default 50,000 people: five rounds of projects


def build_all(seed: int) -> list[str]:
    """What was built, one line per part (empty when everything was there already)."""
    from linli.projects import demo as projects
    from linli.resources import demo as resources
    from linli.services.demo import build_catalogue
    from linli.volunteers import demo as volunteers

    lines: list[str] = []
    offers = build_catalogue()
    if offers:
        lines.append(f"Service catalogue: {offers} offers by the demo providers")
    built = volunteers.build(seed)
    if built is not None:
        counts = ", ".join(f"{k} {v}" for k, v in built.counts.items())
        lines.append(f"Volunteers: {counts}; {built.minutes // 60} hours credited to the time bank")
    library = resources.build(seed)
    if library is not None:
        lines.append("Library: " + ", ".join(f"{k} {v}" for k, v in library.counts.items()))
    rounds = max(1, Person.objects.count() // PERSONS_PER_PROJECT_ROUND)
    made = projects.build(seed, rounds=rounds)
    if made is not None:
        lines.append("Projects: " + ", ".join(f"{state} #{pk}" for state, pk in made.projects.items()))
    return lines
