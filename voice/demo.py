"""The customer's voice in the demo (`seed_demo`, idempotent): the rating-request job replayed over
the demo's weeks, every morning at 10:30 on the team's clock, so its requests go out as they would
have; a good share of the customers answer (their own words, lowest to highest), and one customer
has unsubscribed with one click."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.demo import replayed_at
from interactions.customer_mail import customer_opt_out
from interactions.models import Customer, Interaction
from interactions.services import interaction_comment, interaction_rate

from .services import rating_requests_send

DAYS = 6 * 7
WORDS = {
    "en": {
        1: ["Waited forever for the answer.", "Nobody called back as promised."],
        2: ["Fine in the end, but I had to ask twice.", "The bill was wrong at first."],
        3: ["All good, as usual.", ""],
        4: ["You remembered my window table!", "Quick and to the point, the way I like it."],
        5: ["The dessert on the house made our evening.", "I did not expect a call before I asked. Thank you!"],
        6: ["The chef came out to say hello. Wow.", ""],
    },
    "nl": {
        1: ["Ik heb eindeloos op antwoord gewacht.", "Niemand belde terug, terwijl dat beloofd was."],
        2: ["Uiteindelijk goed, maar ik moest twee keer bellen.", ""],
        3: ["Prima, zoals altijd.", ""],
        4: ["Jullie wisten nog welk tafeltje ik graag heb!", ""],
        5: ["Het toetje van het huis maakte onze avond.", "Fijn dat jullie belden voordat ik erom vroeg."],
        6: ["De chef kwam even gedag zeggen. Geweldig.", ""],
    },
}


def seed_voice(*, teams, users, stdout=None):
    for index, team in enumerate(teams):
        if Interaction.objects.filter(team=team, rating_requested_at__isnull=False).exists():
            continue
        rng = random.Random(99 + index)  # nosec B311: demo data, not secrets
        first = Interaction.objects.filter(team=team).order_by("occurred_at").values_list("occurred_at", flat=True).first()
        if first is None:
            continue
        sent = answered = 0
        day = timezone.localtime(first, team.tz).date()
        now = timezone.now()
        while True:
            morning = datetime.combine(day, time(10, 30), tzinfo=team.tz)
            if morning > now:
                break
            with replayed_at(morning):
                sent += rating_requests_send(now=morning)
            day += timedelta(days=1)
        asked = Interaction.objects.filter(team=team, rating_requested_at__isnull=False, customer_level__isnull=True).select_related("customer")
        for interaction in asked.order_by("rating_requested_at", "id"):
            if rng.random() > 0.45:
                continue  # most customers never answer
            own = max(1, min(6, interaction.assessed_level + rng.choice([-2, -1, 0, 0, 1, 1])))
            at = min(interaction.rating_requested_at + timedelta(minutes=rng.randint(5, 600)), timezone.now())
            words = rng.choice(WORDS.get(interaction.customer.language, WORDS["en"])[own])
            with replayed_at(at):
                interaction_rate(interaction=interaction, level=own)
                if words:
                    interaction_comment(interaction=interaction, comment=words)
            answered += 1
        # One customer who had had enough of being asked.
        quiet = Customer.objects.filter(team=team, interactions__rating_requested_at__isnull=False).order_by("id").first()
        if quiet is not None:
            customer_opt_out(customer=quiet, how="one-click")
        if stdout is not None:
            stdout.write(f"  {team.name}: {sent} rating requests sent, {answered} answered, {quiet.name if quiet else 'nobody'} opted out")
