"""Events coded from real sentences: frames for verbs and nouns, direction, conjunction,
embedded events, and the PLOVER/CAMEO fields."""

from __future__ import annotations

from nexus_testing import triples


def test_contract_fields_and_offsets(code):
    text = "North Korea has shipped more than a million artillery shells to Russia since August."
    [e] = code(text)
    assert e["source"]["code"] == "PRK" and e["target"]["country"] == "RUS"
    assert e["plover"]["type"] == "AID" and e["cameo"]["code"] == "072"
    assert e["cameo"]["goldstein"] == 8.3 and e["cameo"]["quad_class"] == 2
    assert text[e["offsets"][0]:e["offsets"][1]] == e["sentence"]
    assert e["trigger"] == "shipped" and e["event_id"]
    assert e["date"] == {"value": "2023-08", "precision": "month", "basis": "text"}


def test_conjoined_subjects_give_one_event_each(code):
    got = triples(code("France, Germany and Italy condemned the coup in Niger."))
    assert got == {("FRA", "NER", "ACCUSE"), ("DEU", "NER", "ACCUSE"), ("ITA", "NER", "ACCUSE")}


def test_reciprocal_agreement_codes_both_directions(code):
    got = triples(code("Jordan and Britain have agreed to undertake joint military exercises this month."))
    assert {("JOR", "GBR", "AGREE"), ("GBR", "JOR", "AGREE")} <= got


def test_passive_voice_takes_the_actor_from_the_by_phrase(code):
    got = triples(code("A temporary camp for Congolese refugees was attacked by Burundian militiamen."))
    assert ("BDI", "COD", "ASSAULT") in got


def test_nominal_events(code):
    assert ("QAT", "EGY", "SUPPORT") in triples(code("Egypt's ceasefire proposal was welcomed by Qatar."))
    assert ("TUR", "SYR", "ASSAULT") in triples(code("The Turkish shelling of Kurdish positions in northern Syria continued."))
    assert ("TUR", "IRQ", "ASSAULT") in triples(code("Turkey launched air strikes on Iraq on Monday."))


def test_embedded_event_gives_the_sub_code(code):
    events = code("The United States urged Iran to release the detained sailors.")
    request = next(e for e in events if e["plover"]["type"] == "REQUEST")
    assert request["source"]["country"] == "USA" and request["target"]["country"] == "IRN"
    assert request["cameo"]["code"] == "0253"  # appeal for release of persons
    release = next(e for e in events if e["plover"]["type"] == "RETREAT")
    assert release["source"]["country"] == "IRN" and release["factuality"] == "hypothetical"


def test_refusal_is_an_asserted_rejection_and_a_negated_act(code):
    events = code("Russia refused to release the prisoners.")
    assert {(e["plover"]["type"], e["factuality"]) for e in events} == {("REJECT", "asserted"), ("RETREAT", "negated")}


def test_offer_is_asserted_agree(code):
    got = triples(code("Putin offered to mediate between Armenia and Azerbaijan."))
    assert ("RUS", "ARM", "AGREE") in got and ("RUS", "AZE", "AGREE") in got


def test_threat_and_sanctions(code):
    got = triples(code("Russia threatened to halt gas deliveries to Moldova."))
    assert ("RUS", "MDA", "THREATEN") in got
    assert ("EUR", "BLR", "SANCTION") in triples(code("The European Union imposed new sanctions on Belarus on Friday."))


def test_headings_captions_and_furniture_give_no_events(coder):
    from nexus.documents import Document, segment

    text = ("Russia supplies Iran with drones\n\n"
            "Image: Russian drones on display. Photo: Staff\n\n"
            "Share your thoughts in the comments below.\n\n"
            "Iran began supplying Russia with drones in 2022.\n")
    doc = Document("d", text, blocks=segment(text))
    events = coder.code_document(doc).events
    assert [(e.source.country, e.target.country, e.plover.type) for e in events] == [("IRN", "RUS", "AID")]


def test_same_input_same_ids(code):
    text = "Israel and Lebanon renewed negotiations today on an Israeli troop pullback."
    assert [e["event_id"] for e in code(text)] == [e["event_id"] for e in code(text)]


def test_a_date_before_coordinated_verbs_dates_each_of_them(code):
    events = code("In March 2019, the foreign ministers of Egypt and Sudan met in Cairo and signed an agreement "
                  "on water sharing.", date="2024-05-02")
    by_trigger = {e["trigger"]: e["date"] for e in events}
    assert set(by_trigger) >= {"met", "signed"}, events
    assert by_trigger["signed"] == by_trigger["met"] == {"value": "2019-03", "precision": "month", "basis": "text"}


def test_who_reports_an_exhortation_is_not_its_target(code):
    # the exhortation is addressed to "the two countries", which no actor names; the outlet
    # that reports it must not stand in for them
    events = code("Xi said the two countries should strengthen communication and handle their differences "
                  "properly, according to Chinese state media.")
    assert not [e for e in events if e["target"] and e["target"]["sector"] == "MED"], events
