"""Pointed checks of saved queries run with parameters other than their defaults.

The golden files pin every query's default answer; these tests make sure the
parameters really steer the answer, and that an ill-typed value is refused
before anything reaches the store.
"""

from __future__ import annotations

import pytest

from cakg.errors import InputError
from cakg.queries import load_saved_queries

from conftest import ROOT

QUERIES = load_saved_queries(ROOT / "queries")
ID = "https://w3id.org/cakg/id/"


def run(real_store, name: str, **params: str):
    query = QUERIES[name]
    return real_store.select(query.bind(params), name)


def column(table, variable: str) -> set[str]:
    return set(table.values(variable))


def test_agreements_binding_cambodia_and_china_leave_out_the_thai_agreement(real_store):
    thailand = column(run(real_store, "agreements-binding-two-countries", country="tha", partner="chn"), "agreement")
    cambodia = column(run(real_store, "agreements-binding-two-countries", country="khm", partner="chn"), "agreement")
    assert ID + "agreement/thailand-china-smart-city-agreement-2016" in thailand
    assert cambodia == thailand - {ID + "agreement/thailand-china-smart-city-agreement-2016"}
    assert ID + "agreement/asean-china-smart-city-statement-2019" in cambodia
    assert ID + "agreement/mou-cross-border-e-commerce-2015" not in cambodia


def test_malaysia_is_bound_to_the_e_commerce_memorandum_through_its_organisations(real_store):
    table = run(real_store, "agreements-binding-two-countries", country="mys", partner="chn")
    modes = {(row["agreement"].value, row["countryBoundAs"].value, row["partnerPartyLabel"].value)
             for row in table.rows}
    assert (ID + "agreement/mou-cross-border-e-commerce-2015", "its organisations are a party",
            "China Council for the Promotion of International Trade") in modes


def test_companies_that_built_infrastructure_in_thailand(real_store):
    table = run(real_store, "infrastructure-builders-in-country", country="THA")
    assert column(table, "company") == {ID + "org/huawei-marine"}
    assert column(table, "infrastructure") == {ID + "infrastructure/mct-cable"}
    assert column(table, "roleLabel") == {"built by", "designed by"}


def test_who_built_the_cambodian_backbone_network(real_store):
    table = run(real_store, "link-builders", link="infrastructure/cambodia-backbone-network")
    roles = {(row["roleLabel"].value, row["actorLabel"].value) for row in table.rows}
    assert ("built by", "Shenzhen Guangqi Hairong") in roles
    assert ("user", "17 telecom, television and Internet operators in Cambodia") in roles
    assert all("Shenzhen Guangqi Hairong" in quote for quote in column(table, "quote"))


def test_table_1_idi_global_ranking_has_no_asean_row(real_store):
    table = run(real_store, "table-1-indicator", indicator="indicator/idi-global-rank")
    ranks = {row["areaLabel"].value: row["value"].value for row in table.rows}
    assert len(ranks) == 11 and "ASEAN Member States" not in ranks
    assert ranks["Singapore"] == "19" and ranks["Myanmar"] == "142" and ranks["China"] == "82"
    assert table.rows[0]["areaLabel"].value == "Myanmar"  # largest value first


def test_compare_internet_users_of_cambodia_and_myanmar(real_store):
    table = run(real_store, "compare-indicator", indicator="indicator/internet-users", country="khm", other="mmr")
    values = {row["areaLabel"].value: (row["value"].value, row["unitLabel"].value) for row in table.rows}
    assert values == {"Cambodia": ("410", "10,000"), "Myanmar": ("710", "10,000")}
    assert {float(v) for v in column(table, "valueInBaseUnit")} == {4100000.0, 7100000.0}


def test_figures_for_2011_are_the_idi_baseline(real_store):
    table = run(real_store, "observations-by-year", year="2011")
    idi = {row["areaLabel"].value: row["value"].value for row in table.rows
           if row["indicatorLabel"].value == "ICT Development Index (IDI)"}
    assert idi == {"China": "3.58", "ASEAN Member States": "3.51"}
    # the 2011–2015 growth rates cover 2011 too
    assert "IDI average annual growth rate" in column(table, "indicatorLabel")


def test_thai_names(real_store):
    table = run(real_store, "labels-in-language", lang="TH")
    names = {row["englishLabel"].value: row["name"].value for row in table.rows}
    assert names["Thailand"] == "ประเทศไทย"
    assert names["Bangkok"] == "กรุงเทพมหานคร"
    assert column(table, "language") == {"th"}


def test_ascn_pilot_cities_of_viet_nam_come_from_the_reference(real_store):
    table = run(real_store, "ascn-pilot-cities", country="vnm")
    assert column(table, "cityLabel") == {"Da Nang", "Hanoi", "Ho Chi Minh City"}
    assert column(table, "graph") == {"https://w3id.org/cakg/graph/data/reference/ascn-pilot-cities"}


def test_why_tencent_and_lazada_cooperate(real_store):
    table = run(real_store, "why-cooperate", actor="org/tencent", partner="org/lazada")
    assert column(table, "fact") == {ID + "partnership/tencent-lazada"}
    assert column(table, "ruleLabel") == {
        "the host and principal participants of one mechanism, event, project or partnership, with each other"}


def test_invitees_of_one_meeting_do_not_cooperate(real_store):
    assert run(real_store, "why-cooperate", actor="country/usa", partner="country/rus").rows == []
    assert run(real_store, "why-cooperate", actor="country/jpn", partner="country/usa").rows == []
    table = run(real_store, "why-cooperate", actor="country/chn", partner="org/asean")
    somtc = [row for row in table.rows if row["fact"].value == ID + "event/somtc-16-2016"]
    assert {(row["actorRoleLabel"].value, row["partnerRoleLabel"].value) for row in somtc} >= {("invitee", "hosted by")}
    assert {float(row["factWeight"].value) for row in somtc} == {0.091}
    assert {row["fact"].value for row in table.rows} >= {ID + "agreement/asean-china-smart-city-statement-2019",
                                                         ID + "project/china-asean-information-harbor"}


def test_baidu_explored_thailand_but_does_not_cooperate_with_it(real_store):
    assert run(real_store, "cooperation-partners", actor="org/baidu").rows == []
    entries = run(real_store, "market-entries-by-country")
    assert ("Thailand", "Baidu") in {(row["marketLabel"].value, row["entrantLabel"].value) for row in entries.rows}


def test_the_16th_somtc_lists_its_host_and_invitees(real_store):
    table = run(real_store, "event-participants", event="event/somtc-16-2016")
    roles = {(row["roleLabel"].value, row["participantLabel"].value) for row in table.rows}
    assert ("hosted by", "Association of Southeast Asian Nations") in roles
    assert ("invitee", "Russia") in roles and ("invitee", "European Union") in roles
    assert not any(role == "participant" and name == "Russia" for role, name in roles)


def test_participants_of_the_22nd_summit(real_store):
    table = run(real_store, "event-participants", event="event/asean-china-summit-22-2019")
    assert column(table, "participantLabel") == {"ASEAN Member States", "China"}
    assert column(table, "placeLabel") == {"Bangkok"}
    assert column(table, "date") == {"2019-11-03"}


def test_cyber_security_recommendations_by_topic(real_store):
    table = run(real_store, "recommendations-by-topic", topic="cyber-security")
    recommendations = column(table, "recommendation")
    assert {ID + "recommendation/wp2016-iii-vi", ID + "recommendation/wp2016-iii-vi-1",
            ID + "recommendation/wp2016-iii-vi-2", ID + "recommendation/wp2016-iii-vi-3"} <= recommendations
    assert ID + "recommendation/wp2016-iii-ii-2" not in recommendations


def test_alibaba_bought_lazada(real_store):
    table = run(real_store, "company-activities", company="org/alibaba")
    facts = column(table, "fact")
    assert ID + "investment/alibaba-lazada-2016" in facts
    assert ID + "market-entry/alibaba-asean-via-lazada" in facts


@pytest.mark.parametrize("name, params", [
    ("agreements-binding-two-countries", {"country": "thai"}),
    ("agreements-binding-two-countries", {"partner": "12"}),
    ("observations-by-year", {"year": "15"}),
    ("observations-by-year", {"year": "2015-06"}),
    ("labels-in-language", {"lang": "zh_CN"}),
    ("table-1-indicator", {"indicator": "internet penetration rate"}),
    ("cooperation-partners", {"actor": "tha"}),
    ("country-figures", {"nation": "khm"}),
])
def test_ill_typed_or_unknown_parameters_are_refused(name, params):
    with pytest.raises(InputError):
        QUERIES[name].bind(params)
