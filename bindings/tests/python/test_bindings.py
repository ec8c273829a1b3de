"""The bindings as a new user tries them from Python (issue 8): typed errors
with their fields, whatever the size of a bad number; ranges named since and
until; the core's own types. Run by run.sh against the host-built library."""

import datetime
import os
import tempfile
import unittest

from rapport.rapport_core import Interaction, Channel, Initiator, ListQuery, MoodCheckIn, Person, Ring, Whose
from rapport.rapport_ffi import RapportStore, StoreError


def now():
    return datetime.datetime(2025, 3, 4, 18, 0, tzinfo=datetime.timezone.utc)


class BindingsFromPython(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.store = RapportStore.open(os.path.join(self.dir.name, "record.db"))

    def tearDown(self):
        self.dir.cleanup()

    def test_a_bad_rating_is_the_same_typed_error_whatever_its_size(self):
        for rating in (11, 300, -1, 2**31 - 1):
            with self.assertRaises(StoreError.Invalid) as caught:
                self.store.check_in_mood(MoodCheckIn(at=now(), rating=rating, event="", crisis=False))
            self.assertEqual(caught.exception.field, "rating")
            self.assertEqual(caught.exception.reason, f"must be between 0 and 10, got {rating}")
        self.assertEqual(self.store.list(ListQuery()), [])

    def test_not_found_names_the_kind_and_the_id(self):
        with self.assertRaises(StoreError.NotFound) as caught:
            self.store.get_goal("no-such-goal")
        self.assertEqual((caught.exception.kind, caught.exception.id), ("goal", "no-such-goal"))

    def test_ranges_are_since_and_until_and_days_are_iso(self):
        sam = self.store.add_person(Person(
            nickname="Sam", relationship="partner", ring=Ring.INNER, gives="", goes_wrong="",
            my_expectations="", their_expectations="", notes="", dispute_history=[]))
        talk = Interaction(
            person_id=sam.meta.id, occurred_at=now(), channel=Channel.PHONE, initiated_by=Initiator.ME,
            what_i_wanted="help with the dishes")
        self.store.add_interaction(talk)
        page = self.store.list_page(ListQuery(since=now(), until=now() + datetime.timedelta(days=1)))
        self.assertEqual((len(page.items), page.total), (1, 1))
        self.assertIsNone(self.store.owner_of(sam.meta.id))
        summary = self.store.session_summary(Whose.MINE(), "2025-03-01", "2025-03-07", "2025-03-07")
        # The range's ends are start and end (no `from`, a keyword here).
        self.assertEqual((summary.range.start, summary.range.end), ("2025-03-01", "2025-03-08"))
        with self.assertRaises(StoreError.Invalid) as caught:
            self.store.session_summary(Whose.MINE(), "2025-03-07", "2025-03-01", "2025-03-07")
        self.assertEqual(caught.exception.field, "range")


if __name__ == "__main__":
    unittest.main()
