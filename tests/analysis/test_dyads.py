from __future__ import annotations

import pytest
from store_factory import IRN, RUS, Ev, coded_doc  # on sys.path through conftest.py

from nexus.analysis import dyad_report
from nexus.store import Store


def test_both_directions_by_year(filled: Store) -> None:
    r = dyad_report(filled, "RUS", "IRN")
    assert (r.a, r.b, r.freq, r.factuality) == ("RUS", "IRN", "year", ("asserted",))
    ab, ba = r.a_to_b, r.b_to_a
    assert (ab.source, ab.target, ba.source, ba.target) == ("RUS", "IRN", "IRN", "RUS")

    # Russia -> Iran: the 2011 power plant (history keeps its date), 2022 trade, the 2025 treaty.
    assert ab.by_type.index.tolist() == ["2011", "2022", "2025"]
    assert ab.by_type.to_dict("index") == {
        "2011": {"AGREE": 0, "AID": 1, "COOPERATE": 0},
        "2022": {"AGREE": 0, "AID": 0, "COOPERATE": 1},
        "2025": {"AGREE": 1, "AID": 0, "COOPERATE": 0}}
    # Iran -> Russia: the drones and trade in 2022, the treaty in 2025.
    assert ba.by_type.loc["2022"].to_dict() == {"AGREE": 0, "AID": 1, "COOPERATE": 1}
    assert ab.n_events == 3 and ba.n_events == 3 and r.n_events == 6

    assert ba.by_quad.columns.tolist() == ["verbal_coop", "material_coop", "verbal_conflict",
                                           "material_conflict", "n_events", "mean_goldstein"]
    assert ba.by_quad.loc["2022", "material_coop"] == 2
    assert ba.by_quad.loc["2022", "mean_goldstein"] == pytest.approx((8.3 + 6.4) / 2)
    assert ab.mean_goldstein == pytest.approx((7.4 + 6.4 + 8.0) / 3)
    assert r.mean_goldstein == pytest.approx((7.4 + 6.4 + 8.0 + 8.3 + 6.4 + 8.0) / 6)


def test_evidence_is_strongest_first(filled: Store) -> None:
    r = dyad_report(filled, "RUS", "IRN", evidence=2)
    ev = r.b_to_a.evidence
    assert len(ev) == 2
    assert ev["trigger"].tolist() == ["signed", "supplied"]  # 8.0*0.95 > 8.3*0.9
    assert ev["score"].tolist() == pytest.approx([7.6, 8.3 * 0.9])
    row = ev.iloc[1]
    assert row["doc_id"] == "how-russia-aids-iran.txt"
    assert row["sentence"] == "Iran supplied Russia with Shahed drones in 2022."
    assert (row["factuality"], row["date_value"]) == ("asserted", "2022")
    strikes = dyad_report(filled, "RUS", "UKR").a_to_b.evidence.iloc[0]
    assert strikes["attribution_text"] == "Ukrainian officials"


def test_claimed_events_are_counted_apart(filled: Store) -> None:
    r = dyad_report(filled, "RUS", "IRN")
    # Suspicions of help and the defence Russia did not promise: shown, never counted.
    assert r.a_to_b.claimed_counts == {"alleged": 1, "negated": 1}
    assert set(r.a_to_b.claimed["plover_type"]) == {"AID"}
    assert r.b_to_a.claimed_counts == {"alleged": 1}  # Ukraine's missile accusation
    assert "alleged" not in set(r.a_to_b.evidence["factuality"])


def test_all_factualities(filled: Store) -> None:
    r = dyad_report(filled, "RUS", "IRN", factuality=None)
    assert r.factuality is None
    assert r.a_to_b.n_events == 5 and r.a_to_b.claimed.empty
    r = dyad_report(filled, "RUS", "IRN", factuality=["asserted", "alleged"])
    assert r.a_to_b.n_events == 4 and r.a_to_b.claimed_counts == {"negated": 1}


def test_quarter_and_month_periods(filled: Store) -> None:
    q = dyad_report(filled, "IRN", "RUS", freq="quarter").a_to_b
    assert q.by_type.index.tolist() == ["2022Q1", "2025Q1"]  # "2022" alone dates to its first day
    m = dyad_report(filled, "EUR", "IRN", freq="month")
    assert m.a_to_b.by_type.index.tolist() == ["2022-10"]
    assert m.b_to_a.by_quad.loc["2022-10", "verbal_conflict"] == 1
    assert m.a_to_b.mean_goldstein == -8.0
    with pytest.raises(ValueError, match="freq"):
        dyad_report(filled, "RUS", "IRN", freq="week")  # type: ignore[arg-type]


def test_actor_codes_match_sub_actors_and_reversal(filled: Store) -> None:
    gov = dyad_report(filled, "RUSGOV", "ISR")
    assert gov.a_to_b.n_events == 1 and gov.b_to_a.n_events == 0
    assert gov.b_to_a.by_type.empty and gov.b_to_a.mean_goldstein is None
    swapped = dyad_report(filled, "IRN", "RUS")
    assert swapped.a_to_b.by_type.equals(dyad_report(filled, "RUS", "IRN").b_to_a.by_type)


def test_undated_events_get_their_own_period(store: Store) -> None:
    store.write(coded_doc("d.txt", None, [("Russia supplied Iran with drones.",
                                           [Ev("supplied", RUS(), IRN(), "AID", "072", None)])]))
    r = dyad_report(store, "RUS", "IRN")
    assert r.a_to_b.by_type.index.tolist() == ["undated"]
    assert r.a_to_b.by_quad.loc["undated", "material_coop"] == 1
