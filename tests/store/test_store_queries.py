from __future__ import annotations

from datetime import date

import pytest

from nexus.store import Store
from nexus.store import queries as q


def triggers(df) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(df["trigger"])


def pairs(df) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return set(zip(df["source_code"], df["target_code"], strict=True))


def test_all_events_in_date_order(filled: Store) -> None:
    df = q.events(filled)
    assert len(df) == 17
    dates = df["event_date"].tolist()
    assert dates == sorted(dates)
    assert df.iloc[0]["trigger"] == "built"  # 2011, background history from a 2023 article


def test_actor_matches_code_prefix_country_and_sector(filled: Store) -> None:
    by_code = q.events(filled, actor="RUS")
    countries = zip(by_code["source_country"], by_code["target_country"], strict=True)
    assert all("RUS" in pair for pair in countries)
    assert "offered to mediate" in set(by_code["trigger"])  # RUSGOV: prefix and country
    assert triggers(q.events(filled, actor="RUSGOV")) == ["offered to mediate"]
    assert triggers(q.events(filled, actor="GOV")) == ["offered to mediate", "visit"]  # sector
    assert set(q.events(filled, actor="IGO")["trigger"]) == {"imposed sanctions", "condemned", "warned"}
    assert triggers(q.events(filled, actor="nato")) == ["warned"]  # codes are case-insensitive


def test_source_and_target(filled: Store) -> None:
    assert pairs(q.events(filled, source="USA")) == {("USA", "IRN")}
    assert pairs(q.events(filled, target="UKR")) == {("RUS", "UKR")}
    df = q.events(filled, source="IRN", target="RUS", factuality="asserted")
    assert triggers(df) == ["expanded", "signed", "supplied"]


def test_dyad_matches_both_directions(filled: Store) -> None:
    df = q.events(filled, dyad=("RUS", "IRN"))
    assert pairs(df) == {("RUS", "IRN"), ("IRN", "RUS")}
    assert len(df) == 9
    assert len(q.events(filled, dyad=("IRN", "RUS"))) == 9
    assert pairs(q.events(filled, dyad=("IRN", "EUR"))) == {("EUR", "IRN"), ("IRN", "EUR")}


def test_plover_type_and_factuality(filled: Store) -> None:
    assert set(q.events(filled, plover_type="SANCTION")["source_code"]) == {"EUR", "USA"}
    assert set(q.events(filled, plover_type=["aid", "ACCUSE"])["plover_type"]) == {"AID", "ACCUSE"}
    assert triggers(q.events(filled, factuality="negated")) == ["defend"]
    df = q.events(filled, factuality=["alleged", "future"])
    assert sorted(df["factuality"]) == ["alleged", "alleged", "future"]
    assert q.events(filled, plover_type=[]).empty


def test_dates(filled: Store) -> None:
    in_2022 = q.events(filled, date_from="2022", date_to="2022")
    assert set(in_2022["date_value"].str[:4]) == {"2022"} and len(in_2022) == 5
    assert triggers(q.events(filled, date_from="2022-10", date_to="2022-10")) == [
        "condemned", "imposed sanctions"]
    assert triggers(q.events(filled, date_from=date(2025, 1, 1))) == ["offered to mediate", "signed",
                                                                     "signed", "visit"]
    assert triggers(q.events(filled, date_to="2011-12-31")) == ["built"]
    with pytest.raises(ValueError, match="not a date"):
        q.events(filled, date_from="last year")


def test_text_is_a_case_insensitive_substring(filled: Store) -> None:
    assert triggers(q.events(filled, text="SHAHED")) == ["supplied"]  # in the sentence
    assert triggers(q.events(filled, text="new sanctions")) == ["imposed new sanctions"]
    assert set(q.events(filled, text="CondemN")["trigger"]) == {"condemned"}  # the trigger


def test_doc_id_limit_and_order(filled: Store) -> None:
    df = q.events(filled, doc_id="ukraine-strikes-2024.txt", order="doc")
    assert df["trigger"].tolist() == ["launched", "imposed new sanctions", "accused", "supplying"]
    assert len(q.events(filled, limit=3)) == 3
    newest = q.events(filled, order="-date", limit=1)
    assert newest.iloc[0]["event_date"].date() == date(2025, 2, 1)
    assert q.events(filled, order="confidence").iloc[0]["confidence"] == 0.95
    assert q.events(filled, order="goldstein").iloc[0]["trigger"] == "launched"
    with pytest.raises(ValueError, match="order"):
        q.events(filled, order="date; DROP TABLE events")


@pytest.mark.parametrize("value", [
    "RUS' OR '1'='1", "'; DROP TABLE events; --", "RUS\") OR TRUE --", "%", "_", "' OR 1=1 --"])
def test_injection_like_values_are_plain_values(filled: Store, value: str) -> None:
    for kwargs in ({"actor": value}, {"source": value}, {"target": value}, {"dyad": (value, value)},
                   {"plover_type": value}, {"factuality": [value]}, {"text": value},
                   {"doc_id": value}):
        assert q.events(filled, **kwargs).empty, kwargs
    assert filled.execute("SELECT count(*) FROM events").fetchone()[0] == 17


def test_text_with_quote_is_found_literally(filled: Store) -> None:
    assert triggers(q.events(filled, text="Iran's weapons")) == ["helping"]


def test_relationships_strongest_first(filled: Store) -> None:
    rel = q.relationships(filled)
    assert rel["n_events"].tolist() == sorted(rel["n_events"], reverse=True)
    top = rel.iloc[:2]
    assert set(zip(top["source"], top["target"], strict=True)) == {("RUS", "IRN"), ("IRN", "RUS")}
    rus_irn = rel[(rel["source"] == "RUS") & (rel["target"] == "IRN")].iloc[0]
    # Asserted only: the alleged and the negated AID are not counted.
    assert rus_irn["n_events"] == 3
    assert (rus_irn["verbal_coop"], rus_irn["material_coop"]) == (1, 2)
    assert rus_irn["verbal_conflict"] == rus_irn["material_conflict"] == 0
    assert rus_irn["mean_goldstein"] == pytest.approx((7.4 + 6.4 + 8.0) / 3)
    assert (rus_irn["first_date"].date(), rus_irn["last_date"].date()) == (date(2011, 1, 1),
                                                                           date(2025, 1, 17))
    assert rus_irn["top_types"] == "AGREE (1), AID (1), COOPERATE (1)"
    # Organisations keep their code as key; no self-dyads or missing targets.
    assert ("NATO", "RUS") in set(zip(rel["source"], rel["target"], strict=True))
    assert not (rel["source"] == rel["target"]).any()
    assert len(q.relationships(filled, limit=2)) == 2


def test_relationships_with_all_factualities(filled: Store) -> None:
    rel = q.relationships(filled, factuality=None)
    rus_irn = rel[(rel["source"] == "RUS") & (rel["target"] == "IRN")].iloc[0]
    assert rus_irn["n_events"] == 5
    assert rus_irn["top_types"] == "AID (3), AGREE (1), COOPERATE (1)"
    assert rel.iloc[0][["source", "target"]].tolist() == ["RUS", "IRN"]


def test_documents_and_actors(filled: Store) -> None:
    docs = q.documents(filled)
    assert docs["doc_id"].tolist() == ["how-russia-aids-iran.txt", "ukraine-strikes-2024.txt",
                                       "nato-summit-2024.txt", "russia-iran-treaty-2025.txt"]
    assert docs.set_index("doc_id").loc["how-russia-aids-iran.txt", "n_events"] == 8
    assert "text" not in docs.columns
    act = q.actors(filled).set_index("actor")
    assert act.index[0] == "IRN"
    assert act.loc["IRN"].tolist() == [10, 4, 6]
    assert act.loc["NATO"].tolist() == [1, 1, 0]
    assert q.actors(filled, factuality=None).loc[0, "n_events"] == 14  # IRN: + alleged, negated, future
