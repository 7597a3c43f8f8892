"""The encoded data of both source documents, checked against the texts themselves.

Every test runs SPARQL on the real build (fixture ``real_store``: the union of
all named graphs, with the ontology's entailments materialised). Each fact
listed per section below is stated by that section of the source text; its
test fails when the graph does not state the fact or does not cite that
section for it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pytest

from conftest import ROOT

SOURCES = ROOT / "data" / "sources"
ID = "https://w3id.org/cakg/id/"
WIKIDATA = "http://www.wikidata.org/entity/"

_KINDS = {
    "country": "country", "org": "org", "group": "group", "city": "city", "region": "region",
    "zone": "zone", "agreement": "agreement", "policy": "policy", "infra": "infrastructure",
    "project": "project", "investment": "investment", "mechanism": "mechanism", "event": "event",
    "commitment": "commitment", "recommendation": "recommendation", "obs": "observation",
    "dataset": "dataset", "product": "product", "partnership": "partnership", "entry": "market-entry",
    "doc": "doc", "section": "section", "passage": "passage", "topic": "topic",
    "indicator": "indicator", "unit": "unit",
}

PREFIXES = "\n".join([
    "PREFIX cakg: <https://w3id.org/cakg/ontology#>",
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
    "PREFIX prov: <http://www.w3.org/ns/prov#>",
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>",
    "PREFIX qb: <http://purl.org/linked-data/cube#>",
    "PREFIX dcterms: <http://purl.org/dc/terms/>",
    "PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>",
    *(f"PREFIX {prefix}: <{ID}{kind}/>" for prefix, kind in _KINDS.items()),
]) + "\n"


# -----------------------------------------------------------------------------
# Helpers
# -----------------------------------------------------------------------------

def select(store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT, each variable mapped to the plain value of its term."""
    table = store.select(PREFIXES + query)
    return [{name: term.value for name, term in row.items()} for row in table.rows]


def ask(store, pattern: str) -> bool:
    table = store.select(PREFIXES + "ASK {\n" + pattern + "\n}")
    assert table.boolean is not None
    return table.boolean


def iri(prefixed: str) -> str:
    """``country:tha`` -> the full IRI."""
    prefix, local = prefixed.split(":", 1)
    return f"{ID}{_KINDS[prefix]}/{local}"


def string(text: str) -> str:
    """A SPARQL string literal for ``text``."""
    return json.dumps(text, ensure_ascii=False)


def source_text(file_name: str) -> str:
    return (SOURCES / file_name).read_text(encoding="utf-8")


def evidence_of(store, node: str) -> list[dict[str, str]]:
    """Quote, passage, section number and document short code of each evidence of ``node``."""
    return select(store, f"""
        SELECT ?quote ?passage ?number ?code WHERE {{
          {node} cakg:evidence ?evidence .
          ?evidence cakg:quote ?quote ; prov:wasQuotedFrom ?passage .
          ?passage cakg:section ?section ; cakg:inDocument ?doc .
          ?section cakg:sectionNumber ?number .
          ?doc cakg:shortCode ?code .
        }}""")


# -----------------------------------------------------------------------------
# 1. A few facts of every section, each with its evidence in that section
# -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SectionFact:
    doc: str                  # the document's short code
    section: str              # the section number the segmenter gives
    name: str                 # what the fact is, for the test id
    nodes: tuple[str, ...]    # fact nodes whose evidence must come from the section
    pattern: str              # SPARQL graph pattern the graph must match
    words: str                # words of the source that an evidence quote of each node contains
    passage: str | None = None  # the passage those words must be quoted from, where it matters

    @property
    def id(self) -> str:
        return f"{self.doc} {self.section}: {self.name}"


def fact(doc: str, section: str, name: str, nodes: str | tuple[str, ...], pattern: str, words: str,
         passage: str | None = None) -> SectionFact:
    return SectionFact(doc, section, name, (nodes,) if isinstance(nodes, str) else nodes, pattern, words, passage)


def wp(section, name, nodes, pattern, words, passage=None) -> SectionFact:
    return fact("wp2016", section, name, nodes, pattern, words, passage)


def sc(section, name, nodes, pattern, words, passage=None) -> SectionFact:
    return fact("sc2019", section, name, nodes, pattern, words, passage)


STATEMENT = "agreement:asean-china-smart-city-statement-2019"
WHITE_PAPER = "doc:caict-white-paper-2016"

WP2016_FACTS = [
    # --- copyright statement -------------------------------------------------
    wp("copyright-statement", "CAICT owns the copyright", WHITE_PAPER,
       f"{WHITE_PAPER} dcterms:rightsHolder org:caict .",
       "The copyright of this white paper is owned by CAICT"),
    wp("copyright-statement", "the source must be marked as CAICT", WHITE_PAPER,
       f"""{WHITE_PAPER} dcterms:rights ?rights .
           FILTER(CONTAINS(?rights, "Source: CAICT (China Academy of Telecommunication Research of MIIT)"))""",
       "the source shall be marked: CAICT (China Academy of Telecommunication Research of MIIT)"),
    # --- foreword ------------------------------------------------------------
    wp("foreword", "the five areas of part II", WHITE_PAPER,
       f"""{WHITE_PAPER} cakg:topic topic:information-infrastructure , topic:e-commerce ,
             topic:internet-applications , topic:smart-city , topic:cyber-security .""",
       "information infrastructure, e-commerce, Internet applications, smart city, and cyber security and governance"),
    wp("foreword", "China ranks first by e-commerce transactions", "obs:wp2016-foreword-chn-e-commerce-transactions-rank",
       """obs:wp2016-foreword-chn-e-commerce-transactions-rank a qb:Observation ; cakg:refArea country:chn ;
             cakg:unit unit:rank ; cakg:obsValue ?v . FILTER(?v = 1)""",
       "China has ranked first by e-commerce transactions."),
    wp("foreword", "recommendation 1 builds the information harbor", "recommendation:wp2016-foreword-1",
       f"""recommendation:wp2016-foreword-1 a cakg:Recommendation ; cakg:recommendedBy {WHITE_PAPER} ;
             cakg:refersTo project:china-asean-information-harbor .""",
       "by building the China - ASEAN information harbor"),
    wp("foreword", "recommendation 5 on cyberspace", "recommendation:wp2016-foreword-5",
       "recommendation:wp2016-foreword-5 a cakg:Recommendation ; cakg:topic topic:cyber-security .",
       "respect cyber sovereignty and jointly build a peaceful, safe, open and cooperative cyberspace"),
    # --- I -------------------------------------------------------------------
    wp("I", "the China-ASEAN Free Trade Area binds China and ASEAN", "agreement:china-asean-free-trade-area",
       "agreement:china-asean-free-trade-area a cakg:Agreement ; cakg:party country:chn , org:asean .",
       "the upgrading of the cooperation in the China-ASEAN Free Trade Area"),
    wp("I", "the FTA is being upgraded", "agreement:fta-upgrade-protocol-2015",
       "agreement:fta-upgrade-protocol-2015 cakg:refersTo agreement:china-asean-free-trade-area .",
       "particularly the upgrading of the cooperation in the China-ASEAN Free Trade Area"),
    # --- I.(I) ---------------------------------------------------------------
    wp("I.(I)", "the FTA started construction in 2010", "agreement:china-asean-free-trade-area",
       'agreement:china-asean-free-trade-area cakg:startDate "2010"^^xsd:gYear .',
       "The China - ASEAN Free Trade Area that started construction in 2010"),
    wp("I.(I)", "the FTA upgrade protocol was signed in November 2015", "agreement:fta-upgrade-protocol-2015",
       """agreement:fta-upgrade-protocol-2015 a cakg:Agreement ; cakg:party country:chn , org:asean ;
             cakg:date "2015-11"^^xsd:gYearMonth ; cakg:targetDate "2020"^^xsd:gYear .""",
       "In November 2015, China and ASEAN signed the Protocol on the upgraded version of the Free Trade Area"),
    wp("I.(I)", "trade target of 1 trillion USD by 2020", "obs:wp2016-i-i-chn-asean-trade-value-2020",
       """obs:wp2016-i-i-chn-asean-trade-value-2020 cakg:refArea country:chn ;
             cakg:counterpartArea group:asean-member-states ; cakg:refPeriod "2020"^^xsd:gYear ;
             cakg:unit unit:usd-trillion ; cakg:isProjection true ; cakg:obsValue ?v . FILTER(?v = 1)""",
       r"China-ASEAN trade value will reach \$1 trillion"),
    wp("I.(I)", "ASEAN GDP of 2.47 trillion USD in 2014", "obs:wp2016-i-i-asean-gdp-2014",
       """obs:wp2016-i-i-asean-gdp-2014 cakg:refArea group:asean-member-states ; cakg:indicator indicator:gdp ;
             cakg:refPeriod "2014"^^xsd:gYear ; cakg:unit unit:usd-trillion ; cakg:obsValue ?v .
           FILTER(?v = 2.47)""",
       r"In 2014, ASEAN's GDP reached \$2.47 trillion."),
    # --- I.(II) with Table 1 ---------------------------------------------------
    wp("I.(II)", "China's IDI rose from 3.58 (2011) to 5.05 (2015)",
       ("obs:wp2016-i-ii-chn-idi-2011", "obs:wp2016-i-ii-chn-idi-2015"),
       """obs:wp2016-i-ii-chn-idi-2011 cakg:refArea country:chn ; cakg:indicator indicator:idi ;
             cakg:refPeriod "2011"^^xsd:gYear ; cakg:obsValue ?v2011 .
           obs:wp2016-i-ii-chn-idi-2015 cakg:refArea country:chn ; cakg:indicator indicator:idi ;
             cakg:refPeriod "2015"^^xsd:gYear ; cakg:obsValue ?v2015 .
           FILTER(?v2011 = 3.58 && ?v2015 = 5.05)""",
       "China's ICT Development Index (IDI) increased from 3.58 in 2011 to 5.05 in 2015"),
    wp("I.(II)", "China has 710 million Internet users and 51.7% penetration",
       ("obs:wp2016-i-ii-chn-internet-users", "obs:wp2016-i-ii-chn-internet-penetration-rate"),
       """obs:wp2016-i-ii-chn-internet-users cakg:refArea country:chn ; cakg:indicator indicator:internet-users ;
             cakg:unit unit:persons-million ; cakg:obsValue ?users .
           obs:wp2016-i-ii-chn-internet-penetration-rate cakg:refArea country:chn ;
             cakg:indicator indicator:internet-penetration-rate ; cakg:unit unit:percent ; cakg:obsValue ?rate .
           FILTER(?users = 710 && ?rate = 51.7)""",
       "China has 710 million Internet users, and its Internet penetration rate reaches 51.7%"),
    wp("I.(II)", "Table 1 gives Singapore an IDI of 8.08 and IDI global rank 19",
       ("obs:wp2016-table-1-sgp-idi", "obs:wp2016-table-1-sgp-idi-global-rank"),
       """obs:wp2016-table-1-sgp-idi qb:dataSet dataset:wp2016-table-1 ; cakg:refArea country:sgp ;
             cakg:indicator indicator:idi ; cakg:unit unit:index-points ; cakg:obsValue ?idi .
           obs:wp2016-table-1-sgp-idi-global-rank qb:dataSet dataset:wp2016-table-1 ; cakg:refArea country:sgp ;
             cakg:indicator indicator:idi-global-rank ; cakg:unit unit:rank ; cakg:obsValue ?rank .
           FILTER(?idi = 8.08 && ?rank = 19)""",
       "Singapore\t683\t3080.5\t578\t470\t81.3%\t8.08\t19", passage="wp2016-i-ii-p18"),
    wp("I.(II)", "China's 2015 initiative for faster and more affordable Internet",
       "policy:faster-and-more-affordable-internet-initiative-2015",
       """policy:faster-and-more-affordable-internet-initiative-2015 a cakg:Policy ; cakg:issuedBy country:chn ;
             cakg:date "2015"^^xsd:gYear .""",
       "China launched the initiative for facilitating faster and more affordable internet connection in 2015"),
    # --- I.(III) -------------------------------------------------------------
    wp("I.(III)", "the first China-ASEAN ICT seminar in 2001", "event:china-asean-ict-seminar-2001",
       """event:china-asean-ict-seminar-2001 a cakg:Event ; cakg:date "2001"^^xsd:gYear ; cakg:ordinal 1 ;
             cakg:participant country:chn , org:asean .""",
       "As early as 2001, the ministers responsible for information and communication of China and ASEAN held "
       "the first China-ASEAN Seminar on Information and Communication Technology"),
    wp("I.(III)", "the ICT Cooperative Partnership was established in 2005",
       "mechanism:china-asean-ict-cooperative-partnership",
       """mechanism:china-asean-ict-cooperative-partnership a cakg:Mechanism ; cakg:startDate "2005"^^xsd:gYear ;
             cakg:participant country:chn , org:asean .""",
       "ASEAN-China ICT Cooperative Partnership for Common Development was established in 2005"),
    wp("I.(III)", "China contributes 40 billion USD to the Silk Road Fund", "investment:silk-road-fund",
       """investment:silk-road-fund a cakg:Investment ; cakg:investor country:chn ; cakg:amount ?amount .
           ?amount cakg:value ?v ; cakg:currency "USD" . FILTER(?v = 40000000000)""",
       r"China will contribute \$40 billion to set up a Silk Road Fund"),
    wp("I.(III)", "cross-border e-commerce exports to ASEAN over 500 billion yuan, 11.4%",
       ("obs:wp2016-i-iii-chn-cross-border-e-commerce-export-value-to-asean-2015",
        "obs:wp2016-i-iii-chn-cross-border-e-commerce-export-share-asean-2015"),
       """obs:wp2016-i-iii-chn-cross-border-e-commerce-export-value-to-asean-2015 cakg:refArea country:chn ;
             cakg:counterpartArea group:asean-member-states ; cakg:unit unit:cny-billion ;
             cakg:valueQualifier "over" ; cakg:obsValue ?value .
           obs:wp2016-i-iii-chn-cross-border-e-commerce-export-share-asean-2015 cakg:unit unit:percent ;
             cakg:obsValue ?share .
           FILTER(?value = 500 && ?share = 11.4)""",
       "over 500 billion yuan, accounting for 11.4% of China’s total exports of cross-border e-commerce"),
    # --- II.(I).1 ------------------------------------------------------------
    wp("II.(I).1", "China's Broadband China strategy", "policy:broadband-china",
       "policy:broadband-china a cakg:Policy ; cakg:issuedBy country:chn .",
       'China has launched the "Broadband China" strategy'),
    wp("II.(I).1", "Indonesia's National Broadband Plan of 2014: 30% urban, 6% rural",
       ("policy:indonesia-national-broadband-plan", "obs:wp2016-ii-i-1-idn-urban-fixed-broadband-access-target",
        "obs:wp2016-ii-i-1-idn-rural-fixed-broadband-access-target"),
       """policy:indonesia-national-broadband-plan cakg:issuedBy country:idn ; cakg:date "2014"^^xsd:gYear .
           obs:wp2016-ii-i-1-idn-urban-fixed-broadband-access-target cakg:refArea region:indonesia-urban-areas ;
             cakg:obsValue ?urban .
           obs:wp2016-ii-i-1-idn-rural-fixed-broadband-access-target cakg:refArea region:indonesia-rural-areas ;
             cakg:obsValue ?rural .
           FILTER(?urban = 30 && ?rural = 6)""",
       "The Indonesian government launched the National Broadband Plan in 2014 to provide fixed broadband access "
       "services to 30% of the urban population and 6% of the rural population."),
    wp("II.(I).1", "Thailand invested 38 billion baht (1.05 billion USD) in 2016",
       "investment:thailand-national-broadband-network-2016",
       """investment:thailand-national-broadband-network-2016 cakg:investor country:tha ;
             cakg:date "2016"^^xsd:gYear ; cakg:amount ?baht , ?dollars .
           ?baht cakg:currency "THB" ; cakg:value ?thb . ?dollars cakg:currency "USD" ; cakg:value ?usd .
           FILTER(?thb = 38000000000 && ?usd = 1050000000)""",
       r"Thailand has invested 38 billion baht (\$1.05 billion) in 2016"),
    wp("II.(I).1", "China expects 98% rural high-speed broadband coverage by 2020",
       "obs:wp2016-ii-i-1-chn-rural-high-speed-broadband-coverage-2020",
       """obs:wp2016-ii-i-1-chn-rural-high-speed-broadband-coverage-2020 cakg:refArea region:china-rural-areas ;
             cakg:refPeriod "2020"^^xsd:gYear ; cakg:isProjection true ; cakg:unit unit:percent ;
             cakg:obsValue ?v . FILTER(?v = 98)""",
       "China expects to realize 98% of high-speed broadband coverage in rural areas by 2020."),
    # --- II.(I).2 ------------------------------------------------------------
    wp("II.(I).2", "direct connections with Vietnam, Myanmar and Laos",
       ("infra:china-vietnam-direct-connection", "infra:china-myanmar-direct-connection",
        "infra:china-laos-direct-connection"),
       """infra:china-vietnam-direct-connection a cakg:InfrastructureLink ; cakg:connects country:chn , country:vnm .
           infra:china-myanmar-direct-connection a cakg:InfrastructureLink ; cakg:connects country:chn , country:mmr .
           infra:china-laos-direct-connection a cakg:InfrastructureLink ; cakg:connects country:chn , country:lao .""",
       "China has realized direct connection of international communications with the three ASEAN countries of "
       "Vietnam, Myanmar and Laos"),
    wp("II.(I).2", "interconnection with Singapore, Thailand, Malaysia and some other ASEAN countries",
       ("infra:china-singapore-network-interconnection", "infra:china-thailand-network-interconnection",
        "infra:china-malaysia-network-interconnection", "infra:china-other-asean-countries-network-interconnection"),
       """infra:china-singapore-network-interconnection cakg:connects country:chn , country:sgp .
           infra:china-thailand-network-interconnection cakg:connects country:chn , country:tha .
           infra:china-malaysia-network-interconnection cakg:connects country:chn , country:mys .
           infra:china-other-asean-countries-network-interconnection
             cakg:connects country:chn , group:wp2016-ii-i-2-some-other-asean-countries .""",
       "network interconnection with Singapore, Thailand, Malaysia and some other ASEAN countries"),
    wp("II.(I).2", "the ASEAN ICT Masterplan 2020 plans the broadband corridor and the regional highway",
       "policy:asean-ict-masterplan-2020",
       """policy:asean-ict-masterplan-2020 a cakg:Policy ; cakg:targetDate "2020"^^xsd:gYear ;
             cakg:refersTo project:asean-broadband-corridor , project:asean-integrated-regional-information-highway .""",
       "The ASEAN ICT Masterplan 2020 makes a detailed plan for the ASEAN broadband"),
    wp("II.(I).2", "ASEAN international bandwidth up to 7430G after nearly 165 times growth",
       ("obs:wp2016-ii-i-2-asean-international-internet-bandwidth",
        "obs:wp2016-ii-i-2-asean-international-internet-bandwidth-growth"),
       """obs:wp2016-ii-i-2-asean-international-internet-bandwidth cakg:refArea group:asean-member-states ;
             cakg:unit unit:gbps ; cakg:valueQualifier "up to" ; cakg:obsValue ?level .
           obs:wp2016-ii-i-2-asean-international-internet-bandwidth-growth cakg:unit unit:times ;
             cakg:valueQualifier "nearly" ; cakg:obsValue ?growth .
           FILTER(?level = 7430 && ?growth = 165)""",
       "the international Internet bandwidth in the ASEAN countries has increased by nearly 165 times, up to 7430G"),
    # --- II.(I).3 ------------------------------------------------------------
    wp("II.(I).3", "Huawei Marine designed and built the MCT cable in 2015", "infra:mct-cable",
       """infra:mct-cable a cakg:SubmarineCable ; cakg:connects country:mys , country:khm , country:tha ;
             cakg:designedBy org:huawei-marine ; cakg:builtBy org:huawei-marine ; cakg:date "2015"^^xsd:gYear .""",
       "in 2015, Huawei Marine designed and constructed the Malaysia - Cambodia - Thailand (MCT) submarine cable system",
       passage="wp2016-ii-i-3-p1"),
    wp("II.(I).3", "six countries jointly built GMS IS", "infra:gms-is",
       """infra:gms-is a cakg:TerrestrialCable ;
             cakg:builtBy country:chn , country:mmr , country:vnm , country:tha , country:lao , country:khm ;
             cakg:connects country:chn , country:mmr , country:vnm , country:tha , country:lao , country:khm .""",
       "China, Myanmar, Vietnam, Thailand, Laos and Cambodia have jointly built the Greater Mekong subregion "
       "Information Highway - GMS IS cross-border terrestrial fiber optic network"),
    wp("II.(I).3", "Shenzhen Guangqi Hairong builds the Cambodian backbone covering 25 provinces",
       ("infra:cambodia-backbone-network", "obs:wp2016-ii-i-3-shenzhen-guangqi-hairong-provinces-covered"),
       """infra:cambodia-backbone-network cakg:builtBy org:shenzhen-guangqi-hairong ; cakg:locatedIn country:khm .
           obs:wp2016-ii-i-3-shenzhen-guangqi-hairong-provinces-covered cakg:unit unit:count ; cakg:obsValue ?v .
           FILTER(?v = 25)""",
       "the Cambodian backbone fiber-optic network covering all the 25 provinces"),
    wp("II.(I).3", "telecom ministers' meeting, telecom week and cyberspace forum",
       ("mechanism:china-asean-telecom-ministers-meeting", "mechanism:china-asean-telecom-week",
        "mechanism:china-asean-cyberspace-forum"),
       """mechanism:china-asean-telecom-ministers-meeting a cakg:Mechanism ; cakg:participant country:chn , org:asean .
           mechanism:china-asean-telecom-week a cakg:Mechanism ; cakg:participant country:chn , org:asean .
           mechanism:china-asean-cyberspace-forum a cakg:Mechanism ; cakg:participant country:chn , org:asean .""",
       "the China-ASEAN Telecom Ministers' Meeting, the China - ASEAN Telecom Week, and the China - ASEAN "
       "Cyberspace Forum"),
    # --- II.(II).1 -----------------------------------------------------------
    wp("II.(II).1", "ASEAN online shopping sales of 5.5 billion USD in 2015",
       "obs:wp2016-ii-ii-1-asean-online-shopping-sales-2015",
       """obs:wp2016-ii-ii-1-asean-online-shopping-sales-2015 cakg:refArea group:asean-member-states ;
             cakg:refPeriod "2015"^^xsd:gYear ; cakg:unit unit:usd-billion ; cakg:obsValue ?v . FILTER(?v = 5.5)""",
       r"In 2015, online shopping sales reached \$5.5 billion in the ASEAN countries"),
    wp("II.(II).1", "ASEAN online shopping sales of 88 billion USD forecast for 2025",
       "obs:wp2016-ii-ii-1-asean-online-shopping-sales-2025",
       """obs:wp2016-ii-ii-1-asean-online-shopping-sales-2025 cakg:refArea group:asean-member-states ;
             cakg:refPeriod "2025"^^xsd:gYear ; cakg:isProjection true ; cakg:unit unit:usd-billion ;
             cakg:obsValue ?v . FILTER(?v = 88)""",
       r"This figure will reach \$88 billion in 2025"),
    wp("II.(II).1", "China's cross-border e-commerce of 5.4 trillion yuan in 2015, up 28.6%",
       ("obs:wp2016-ii-ii-1-chn-cross-border-e-commerce-transactions-2015",
        "obs:wp2016-ii-ii-1-chn-cross-border-e-commerce-growth-2015"),
       """obs:wp2016-ii-ii-1-chn-cross-border-e-commerce-transactions-2015 cakg:refArea country:chn ;
             cakg:refPeriod "2015"^^xsd:gYear ; cakg:unit unit:cny-trillion ; cakg:obsValue ?value .
           obs:wp2016-ii-ii-1-chn-cross-border-e-commerce-growth-2015 cakg:unit unit:percent ; cakg:obsValue ?growth .
           FILTER(?value = 5.4 && ?growth = 28.6)""",
       "In 2015, cross-border e-commerce transactions amounted to 5.4 trillion yuan, an increase of 28.6% year-on-year"),
    wp("II.(II).1", "only 16% online shoppers in the (unnamed) 6 major ASEAN economies",
       "obs:wp2016-ii-ii-1-six-major-asean-online-shoppers-share",
       """obs:wp2016-ii-ii-1-six-major-asean-online-shoppers-share
             cakg:refArea group:wp2016-ii-ii-1-six-major-asean-economies ; cakg:obsValue ?v .
           group:wp2016-ii-ii-1-six-major-asean-economies cakg:vagueness ?vague .
           FILTER NOT EXISTS { group:wp2016-ii-ii-1-six-major-asean-economies cakg:hasMember ?member }
           FILTER(?v = 16)""",
       "There are only 16% of online shoppers in the 6 major ASEAN economies"),
    # --- II.(II).2 -----------------------------------------------------------
    wp("II.(II).2", "up to 85% of Vietnamese consumers choose cash on delivery",
       "obs:wp2016-ii-ii-2-vnm-cash-on-delivery-share",
       """obs:wp2016-ii-ii-2-vnm-cash-on-delivery-share cakg:refArea country:vnm ; cakg:unit unit:percent ;
             cakg:valueQualifier "up to" ; cakg:obsValue ?v . FILTER(?v = 85)""",
       "up to 85% of Vietnamese consumers choose cash on delivery"),
    wp("II.(II).2", "Lazada and Zalora build their own logistics systems",
       ("project:lazada-own-logistics-system", "project:zalora-own-logistics-system"),
       """project:lazada-own-logistics-system a cakg:Project ; cakg:participant org:lazada .
           project:zalora-own-logistics-system a cakg:Project ; cakg:participant org:zalora .""",
       "Lazada, Zalora other major e-commerce companies have all started to build their own logistics systems"),
    wp("II.(II).2", "JNE, DHL and other international logistics companies",
       "group:wp2016-ii-ii-2-international-logistics-companies",
       """group:wp2016-ii-ii-2-international-logistics-companies cakg:hasMember org:jne , org:dhl ;
             cakg:vagueness ?vague .""",
       "JNE, DHL and other international logistics companies"),
    # --- II.(II).3 -----------------------------------------------------------
    wp("II.(II).3", "Alibaba bought a controlling stake in Lazada for about 1 billion USD in April 2016",
       "investment:alibaba-lazada-2016",
       """investment:alibaba-lazada-2016 a cakg:Investment ; cakg:investor org:alibaba ; cakg:investee org:lazada ;
             cakg:date "2016-04"^^xsd:gYearMonth ; cakg:amount ?amount .
           ?amount a cakg:MonetaryAmount ; cakg:value ?v ; cakg:currency "USD" ; cakg:valueQualifier "about" .
           FILTER(?v = 1000000000)""",
       r"In April 2016, Alibaba bought a controlling stake in Lazada for about \$1 billion"),
    wp("II.(II).3", "CCPIT signed the cross-border e-commerce MoU in 2015",
       "agreement:mou-cross-border-e-commerce-2015",
       """agreement:mou-cross-border-e-commerce-2015 a cakg:Agreement ; cakg:date "2015"^^xsd:gYear ;
             cakg:party org:ccpit , group:wp2016-ii-ii-3-asean-industrial-commercial-organisations .""",
       "In 2015, China Council for the Promotion of International Trade signed the *Memorandum of Understanding on*"),
    wp("II.(II).3", "the cross-border e-commerce platform built with Suning",
       "infra:china-asean-cross-border-e-commerce-platform",
       "infra:china-asean-cross-border-e-commerce-platform cakg:builtBy org:ccpit , org:suning .",
       "jointly build the China - ASEAN cross-border e-commerce platform with Suning"),
    wp("II.(II).3", "Alibaba entered the ASEAN market via Lazada", "entry:alibaba-asean-via-lazada",
       """entry:alibaba-asean-via-lazada a cakg:MarketEntry ; cakg:entrant org:alibaba ;
             cakg:marketCountry group:asean-member-states .""",
       "Alibaba has entered the ASEAN market via Lazada"),
    # --- II.(III).1 ----------------------------------------------------------
    wp("II.(III).1", "Didi signed a cooperation framework with Grab", "agreement:didi-grab-cooperation-framework",
       "agreement:didi-grab-cooperation-framework a cakg:Agreement ; cakg:party org:didi , org:grab .",
       "Didi is deepening its capital cooperation and has signed a cooperation framework with Grab"),
    wp("II.(III).1", "likelihood to share: China 94%, Indonesia 87%, Philippines 85%, Thailand 84%",
       ("obs:wp2016-ii-iii-1-chn-likelihood-to-share", "obs:wp2016-ii-iii-1-idn-likelihood-to-share",
        "obs:wp2016-ii-iii-1-phl-likelihood-to-share", "obs:wp2016-ii-iii-1-tha-likelihood-to-share"),
       """obs:wp2016-ii-iii-1-chn-likelihood-to-share cakg:refArea country:chn ; cakg:obsValue ?chn .
           obs:wp2016-ii-iii-1-idn-likelihood-to-share cakg:refArea country:idn ; cakg:obsValue ?idn .
           obs:wp2016-ii-iii-1-phl-likelihood-to-share cakg:refArea country:phl ; cakg:obsValue ?phl .
           obs:wp2016-ii-iii-1-tha-likelihood-to-share cakg:refArea country:tha ; cakg:obsValue ?tha .
           FILTER(?chn = 94 && ?idn = 87 && ?phl = 85 && ?tha = 84)""",
       "China 94%, Indonesia 87%, Slovenia 86%, the Philippines 85% and Thailand 84%"),
    wp("II.(III).1", "16 Chinese sharing-economy unicorns including Didi, TuJia.com and ZBJ.com",
       ("obs:wp2016-ii-iii-1-chn-sharing-economy-unicorns", "group:wp2016-ii-iii-1-chinese-sharing-economy-unicorns"),
       """obs:wp2016-ii-iii-1-chn-sharing-economy-unicorns cakg:refArea country:chn ; cakg:unit unit:count ;
             cakg:obsValue ?v .
           group:wp2016-ii-iii-1-chinese-sharing-economy-unicorns cakg:hasMember org:didi , org:tujia , org:zbj .
           FILTER(?v = 16)""",
       "16 local unicorn enterprises have emerged, including Didi, TuJia.com and ZBJ.com"),
    # --- II.(III).2 ----------------------------------------------------------
    wp("II.(III).2", "China's online games ranked first in 2015 with 24.5% of the world",
       ("obs:wp2016-ii-iii-2-chn-online-game-world-share-2015", "obs:wp2016-ii-iii-2-chn-online-game-world-rank-2015"),
       """obs:wp2016-ii-iii-2-chn-online-game-world-share-2015 cakg:refArea country:chn ;
             cakg:refPeriod "2015"^^xsd:gYear ; cakg:unit unit:percent ; cakg:obsValue ?share .
           obs:wp2016-ii-iii-2-chn-online-game-world-rank-2015 cakg:refArea country:chn ;
             cakg:refPeriod "2015"^^xsd:gYear ; cakg:unit unit:rank ; cakg:obsValue ?rank .
           FILTER(?share = 24.5 && ?rank = 1)""",
       "In 2015, China's online game industry surpassed the United States and ranked first in the world, "
       "accounting for 24.5% of the world's total."),
    wp("II.(III).2", "ASEAN online games are 1.4% of the world's total",
       "obs:wp2016-ii-iii-2-asean-online-game-world-share",
       """obs:wp2016-ii-iii-2-asean-online-game-world-share cakg:refArea group:asean-member-states ;
             cakg:unit unit:percent ; cakg:obsValue ?v . FILTER(?v = 1.4)""",
       "the online game industry in the ASEAN Region only accounts for 1.4% of the world's total"),
    wp("II.(III).2", "ASEAN game industry CAGR will reach 28.8%", "obs:wp2016-ii-iii-2-asean-online-game-cagr",
       """obs:wp2016-ii-iii-2-asean-online-game-cagr cakg:refArea group:asean-member-states ;
             cakg:isProjection true ; cakg:obsValue ?v . FILTER(?v = 28.8)""",
       "the CAGR of the industry will reach 28.8% in the future"),
    # --- II.(III).3 ----------------------------------------------------------
    wp("II.(III).3", "Tencent partners with Easy Taxi, Lazada and Foodpanda",
       ("partnership:tencent-easy-taxi", "partnership:tencent-lazada", "partnership:tencent-foodpanda"),
       """partnership:tencent-easy-taxi a cakg:Partnership ; cakg:participant org:tencent , org:easy-taxi .
           partnership:tencent-lazada a cakg:Partnership ; cakg:participant org:tencent , org:lazada .
           partnership:tencent-foodpanda a cakg:Partnership ; cakg:participant org:tencent , org:foodpanda .""",
       "Tencent has established the partnership with Easy Taxi, Lazada and Foodpanda"),
    wp("II.(III).3", "Tencent explored Malaysia, Singapore, Thailand and the Philippines",
       ("entry:tencent-mys", "entry:tencent-sgp", "entry:tencent-tha", "entry:tencent-phl"),
       """entry:tencent-mys cakg:entrant org:tencent ; cakg:marketCountry country:mys .
           entry:tencent-sgp cakg:entrant org:tencent ; cakg:marketCountry country:sgp .
           entry:tencent-tha cakg:entrant org:tencent ; cakg:marketCountry country:tha .
           entry:tencent-phl cakg:entrant org:tencent ; cakg:marketCountry country:phl .""",
       "explored the markets in Malaysia, Singapore, Thailand and the Philippines and other countries"),
    wp("II.(III).3", "Baidu explores Thailand, Vietnam and Indonesia",
       ("entry:baidu-tha", "entry:baidu-vnm", "entry:baidu-idn"),
       """entry:baidu-tha a cakg:MarketEntry ; cakg:entrant org:baidu ; cakg:marketCountry country:tha .
           entry:baidu-vnm a cakg:MarketEntry ; cakg:entrant org:baidu ; cakg:marketCountry country:vnm .
           entry:baidu-idn a cakg:MarketEntry ; cakg:entrant org:baidu ; cakg:marketCountry country:idn .""",
       "to explore the market potential in Thailand, Vietnam, Indonesia and other countries"),
    wp("II.(III).3", "Baidu set up a research center in Singapore", "entry:baidu-sgp",
       "entry:baidu-sgp cakg:entrant org:baidu ; cakg:location country:sgp ; cakg:marketCountry country:sgp .",
       "has also set up a research center in Singapore to serve the local market"),
    # --- II.(IV).1 -----------------------------------------------------------
    wp("II.(IV).1", "Smart Nation 2025, Smart Thailand 2020 and the Multimedia Super Corridor",
       ("policy:smart-nation-2025", "policy:smart-thailand-2020", "policy:multimedia-super-corridor"),
       """policy:smart-nation-2025 a cakg:Policy ; cakg:issuedBy country:sgp .
           policy:smart-thailand-2020 a cakg:Policy ; cakg:issuedBy country:tha .
           policy:multimedia-super-corridor a cakg:Policy ; cakg:issuedBy country:mys .""",
       "Singapore, Thailand and Malaysia have promulgated the relevant strategies and action plans"),
    wp("II.(IV).1", "more than 30 smart cities in ASEAN by 2025", "obs:wp2016-ii-iv-1-asean-smart-cities-2025",
       """obs:wp2016-ii-iv-1-asean-smart-cities-2025 cakg:refArea group:asean-member-states ;
             cakg:refPeriod "2025"^^xsd:gYear ; cakg:valueQualifier "more than" ; cakg:isProjection true ;
             cakg:obsValue ?v . FILTER(?v = 30)""",
       "By 2025, the number of smart cities in ASEAN will be more than 30."),
    wp("II.(IV).1", "the five ASEAN smart cities named", "group:wp2016-ii-iv-1-asean-smart-cities-by-2025",
       """group:wp2016-ii-iv-1-asean-smart-cities-by-2025 cakg:vagueness ?vague ;
             cakg:hasMember city:bangkok , city:kuala-lumpur , city:da-nang , city:yangon , city:jakarta .""",
       "including Bangkok (Thailand), Kuala Lumpur (Malaysia), Da Nang (Vietnam), Yangon (Myanmar) and "
       "Jakarta (Indonesia)"),
    wp("II.(IV).1", "390 smart city pilot projects approved in China", "obs:wp2016-ii-iv-1-chn-smart-city-pilot-projects",
       """obs:wp2016-ii-iv-1-chn-smart-city-pilot-projects cakg:refArea country:chn ; cakg:unit unit:count ;
             cakg:obsValue ?v . FILTER(?v = 390)""",
       "a total of 390 smart city pilot projects have been approved so far"),
    # --- II.(IV).2 -----------------------------------------------------------
    wp("II.(IV).2", "Malaysia will build 12 digital cities",
       ("project:wp2016-malaysia-12-digital-cities", "obs:wp2016-ii-iv-2-mys-digital-cities"),
       """project:wp2016-malaysia-12-digital-cities cakg:builtBy country:mys ; cakg:status "planned" .
           obs:wp2016-ii-iv-2-mys-digital-cities cakg:refArea country:mys ; cakg:obsValue ?v . FILTER(?v = 12)""",
       'will build 12 "digital cities" to connect with the global information superhighway'),
    wp("II.(IV).2", "more than 400 Chinese cities including Beijing, Shenzhen and Nanjing",
       ("obs:wp2016-ii-iv-2-chn-smart-city-cities", "group:wp2016-ii-iv-2-chinese-smart-city-cities"),
       """obs:wp2016-ii-iv-2-chn-smart-city-cities cakg:refArea country:chn ; cakg:valueQualifier "more than" ;
             cakg:obsValue ?v .
           group:wp2016-ii-iv-2-chinese-smart-city-cities cakg:hasMember city:beijing , city:shenzhen , city:nanjing .
           FILTER(?v = 400)""",
       "more than 400 cities in China have proposed and comprehensively promoted smart city development, "
       "including Beijing, Shenzhen and Nanjing"),
    wp("II.(IV).2", "Singapore's Smart Nation initiative", "policy:smart-nation-2025",
       "policy:smart-nation-2025 cakg:issuedBy country:sgp .",
       'Singapore\'s "Smart Nation" initiative demonstrates how information technology will change the way people live'),
    # --- II.(IV).3 -----------------------------------------------------------
    wp("II.(IV).3", "Thailand and China signed a smart city agreement in June 2016",
       "agreement:thailand-china-smart-city-agreement-2016",
       """agreement:thailand-china-smart-city-agreement-2016 a cakg:Agreement ; cakg:party country:tha , country:chn ;
             cakg:date "2016-06"^^xsd:gYearMonth .""",
       "Thailand and China signed an agreement on smart city cooperation"),
    wp("II.(IV).3", "Thailand is the first overseas user of BeiDou", "infra:beidou-navigation-satellite-system",
       "infra:beidou-navigation-satellite-system cakg:user country:tha ; cakg:ownedBy country:chn .",
       "Thailand becomes the first overseas user of China's BeiDou Navigation Satellite System"),
    wp("II.(IV).3", "Singapore Gridcomm in Nanning",
       ("project:singapore-gridcomm-nanning-smart-transportation",
        "project:singapore-gridcomm-nanning-smart-street-lighting"),
       """project:singapore-gridcomm-nanning-smart-transportation cakg:aidedBy org:singapore-gridcomm ;
             cakg:location city:nanning .
           project:singapore-gridcomm-nanning-smart-street-lighting cakg:builtBy org:singapore-gridcomm ;
             cakg:location city:nanning .""",
       'Singapore Gridcomm Company is helping Nanning to build "Smart Transportation"'),
    wp("II.(IV).3", "China-Singapore parks: Suzhou, Tianjin, Guangzhou",
       ("project:china-singapore-suzhou-industrial-park", "project:china-singapore-tianjin-eco-city",
        "project:china-singapore-guangzhou-knowledge-city"),
       """project:china-singapore-suzhou-industrial-park cakg:participant country:chn , country:sgp ;
             cakg:location zone:suzhou-industrial-park .
           project:china-singapore-tianjin-eco-city cakg:participant country:chn , country:sgp ;
             cakg:location zone:tianjin-eco-city .
           project:china-singapore-guangzhou-knowledge-city cakg:participant country:chn , country:sgp ;
             cakg:location zone:guangzhou-knowledge-city .""",
       "such as Suzhou Industrial Park, Tianjin Eco-City and Guangzhou Knowledge City"),
    # --- II.(V).1 ------------------------------------------------------------
    wp("II.(V).1", "China implemented the State Security Law in July 2015", "policy:china-state-security-law-2015",
       """policy:china-state-security-law-2015 a cakg:Policy ; cakg:issuedBy country:chn ;
             cakg:date "2015-07"^^xsd:gYearMonth .""",
       "In July 2015, China formally implemented the new State Security Law"),
    wp("II.(V).1", "ASEAN's dialogue mechanisms AMMTC, SOMTC, ARF and ATRC",
       "group:wp2016-ii-v-1-asean-cyber-security-dialogue-mechanisms",
       """group:wp2016-ii-v-1-asean-cyber-security-dialogue-mechanisms cakg:vagueness ?vague ;
             cakg:hasMember org:ammtc , org:somtc , org:asean-regional-forum , org:atrc .""",
       "the ASEAN Regional Forum (ARF) and the ASEAN Telecommunication Regulators' Council (ATRC)"),
    wp("II.(V).1", "SOMTC is an ASEAN mechanism", "org:somtc",
       "org:somtc a cakg:Mechanism ; cakg:partOf org:asean .",
       "the ASEAN Senior Officials Meeting on Transnational Crime (SOMTC)"),
    wp("II.(V).1", "China's central leadership team for cyber security",
       "org:china-central-leading-team-cyber-security-informatization",
       "org:china-central-leading-team-cyber-security-informatization a cakg:GovernmentBody ; cakg:country country:chn .",
       "China has established the central leadership team for cyber security and information technology"),
    # --- II.(V).2 ------------------------------------------------------------
    wp("II.(V).2", "ASEAN held the 16th SOMTC in Indonesia in 2016", "event:somtc-16-2016",
       """event:somtc-16-2016 a cakg:Event ; cakg:sessionOf org:somtc ; cakg:ordinal 16 ;
             cakg:date "2016"^^xsd:gYear ; cakg:location country:idn ; cakg:hostedBy org:asean ;
             cakg:invitee country:rus , country:chn , country:jpn , country:kor , country:aus , country:usa ,
               country:ind , country:nzl , country:can , org:european-union .""",
       "In 2016, ASEAN held the 16th SOMTC in Indonesia and invited Russia, China, Japan, Korea, Australia, "
       "the United States, India, New Zealand, Canada, the European Union and other countries"),
    wp("II.(V).2", "ASEAN's leadership dialogue with Japan and the United States",
       "mechanism:wp2016-asean-cyber-security-leadership-dialogue",
       """mechanism:wp2016-asean-cyber-security-leadership-dialogue a cakg:Mechanism ;
             cakg:hostedBy org:asean ; cakg:dialoguePartner country:jpn , country:usa .""",
       "a leadership dialogue mechanism for cyber and information security with Japan, the United States and "
       "other countries"),
    wp("II.(V).2", "China's new model of cyber governance", "policy:china-new-model-of-cyber-governance",
       "policy:china-new-model-of-cyber-governance a cakg:Policy ; cakg:issuedBy country:chn .",
       "This emerging “new model of cyber governance” provides a valuable reference to the ASEAN countries."),
    # --- II.(V).3 ------------------------------------------------------------
    wp("II.(V).3", "9 sessions of the Telecom Regulators' Council Roundtable",
       "mechanism:china-asean-telecom-regulators-council-roundtable",
       """mechanism:china-asean-telecom-regulators-council-roundtable a cakg:Mechanism ; cakg:sessionCount ?n ;
             cakg:participant country:chn , org:asean . FILTER(?n = 9)""",
       "Both sides have organized 9 consecutive sessions of the China - ASEAN Telecom Regulators' Council Roundtable"),
    wp("II.(V).3", "the TRC cooperation framework on network security",
       "agreement:china-asean-trc-network-security-framework",
       "agreement:china-asean-trc-network-security-framework a cakg:Agreement ; cakg:party country:chn , org:asean .",
       "China and ASEAN signed the *Cooperation Framework of China-ASEAN Telecommunication Regulators Council on "
       "Network Security*"),
    wp("II.(V).3", "joint cyber security emergency drills", "event:wp2016-china-asean-cyber-security-emergency-drills",
       """event:wp2016-china-asean-cyber-security-emergency-drills a cakg:Event ;
             cakg:participant country:chn , org:asean .""",
       "China and ASEAN have jointly held the cyber security seminars and cyber security emergency drills"),
    wp("II.(V).3", "the telecom ministers' meeting as a cyber security dialogue",
       "mechanism:china-asean-telecom-ministers-meeting",
       "mechanism:china-asean-telecom-ministers-meeting cakg:topic topic:cyber-security .",
       "the China - ASEAN Telecommunications Ministers' Meeting and the Cyber Security Seminar"),
    # --- III.(I) -------------------------------------------------------------
    wp("III.(I)", "build the Information Harbor as the landmark project", "recommendation:wp2016-iii-i",
       f"""recommendation:wp2016-iii-i a cakg:Recommendation ; cakg:recommendedBy {WHITE_PAPER} ;
             cakg:refersTo project:china-asean-information-harbor .""",
       "Both sides should build the China - ASEAN Information Harbor as the landmark project"),
    wp("III.(I)", "the strategic partnership enters a diamond decade", "partnership:china-asean-strategic-partnership",
       "partnership:china-asean-strategic-partnership a cakg:Partnership ; cakg:participant country:chn , org:asean .",
       "The China - ASEAN strategic partnership is entering a “diamond decade”"),
    wp("III.(I)", "the five platforms of the Information Harbor", "recommendation:wp2016-iii-i-3",
       """recommendation:wp2016-iii-i-3 cakg:refersTo project:wp2016-information-harbor-infrastructure-platform ,
             project:wp2016-information-harbor-trade-services-platform ,
             project:wp2016-information-harbor-technical-cooperation-platform ,
             project:wp2016-information-harbor-cultural-exchanges-platform ,
             project:wp2016-information-harbor-information-sharing-platform .
           project:wp2016-information-harbor-infrastructure-platform cakg:partOf project:china-asean-information-harbor .""",
       "centering on the five platforms of infrastructure, trade services, technical cooperation, cultural "
       "exchanges and information sharing"),
    wp("III.(I)", "the ASEAN ICT2020 Strategy is the ASEAN ICT Masterplan 2020", "policy:asean-ict-masterplan-2020",
       """policy:asean-ict-masterplan-2020 a cakg:Policy ; cakg:issuedBy org:asean ;
             skos:altLabel "ASEAN ICT2020 Strategy"@en .
           recommendation:wp2016-iii-i-2 cakg:refersTo policy:asean-ict-masterplan-2020 .""",
       "effectively link them with the ASEAN ICT2020 Strategy"),
    # --- III.(II) ------------------------------------------------------------
    wp("III.(II)", "a proposed cable convergence center in Guangxi",
       "infra:wp2016-guangxi-international-cable-convergence-center",
       """infra:wp2016-guangxi-international-cable-convergence-center cakg:locatedIn region:guangxi ;
             cakg:status "proposed" .""",
       "Guangxi that is connected to ASEAN both by sea and by land and can form the international submarine "
       "land cable convergence center"),
    wp("III.(II)", "cables among GMS IS, BIMP-EAGA and MCT", "recommendation:wp2016-iii-ii-2",
       """recommendation:wp2016-iii-ii-2 a cakg:Recommendation ;
             cakg:refersTo infra:gms-is , region:bimp-eaga , infra:mct-cable .""",
       "build the submarine and land cables among GMS IS, BIMP-EAGA, MCT and other regions"),
    wp("III.(II)", "BeiDou covers China and the ASEAN region", "infra:beidou-navigation-satellite-system",
       "infra:beidou-navigation-satellite-system cakg:coversArea country:chn , region:asean-region .",
       "the BeiDou Navigation Satellite System has covered China and the ASEAN Region"),
    wp("III.(II)", "build on LaoSat-1 and the Beidou base station", "recommendation:wp2016-iii-ii-3",
       "recommendation:wp2016-iii-ii-3 cakg:refersTo infra:laosat-1 , infra:beidou-sbas-base-station .",
       'promote the cooperation experience of the "LaoSat-1" project and the China - Thailand "Beidou '
       'Satellite-Based Augmentation System base station"'),
    # --- III.(III) -----------------------------------------------------------
    wp("III.(III)", "build on the MoU and the cross-border e-commerce platform", "recommendation:wp2016-iii-iii-1",
       """recommendation:wp2016-iii-iii-1 a cakg:Recommendation ;
             cakg:refersTo agreement:mou-cross-border-e-commerce-2015 , infra:china-asean-cross-border-e-commerce-platform .""",
       "*Memorandum of Understanding on Cooperation between China and ASEAN in Cross-Border E-Commerce* and the "
       "China - ASEAN cross-border e-commerce platform"),
    wp("III.(III)", "the MoU named in full", "agreement:mou-cross-border-e-commerce-2015",
       "agreement:mou-cross-border-e-commerce-2015 a cakg:Agreement ; cakg:topic topic:cross-border-e-commerce .",
       "*Memorandum of Understanding on Cooperation between China and ASEAN in Cross-Border E-Commerce*"),
    wp("III.(III)", "a proposed regional cross-border payment service platform",
       "infra:wp2016-china-asean-cross-border-payment-service-platform",
       """infra:wp2016-china-asean-cross-border-payment-service-platform a cakg:InfrastructureFacility ;
             cakg:status "proposed" .""",
       "A China - ASEAN regional cross-border payment service platform should be established"),
    wp("III.(III)", "a proposed cross-border e-commerce green channel",
       "project:wp2016-china-asean-cross-border-e-commerce-green-channel",
       """project:wp2016-china-asean-cross-border-e-commerce-green-channel a cakg:Project ; cakg:status "proposed" ;
             cakg:participant country:chn .""",
       "to build a China - ASEAN cross-border e-commerce green channel"),
    # --- III.(IV) ------------------------------------------------------------
    wp("III.(IV)", "ASEAN Internet economy to reach 200 billion USD by 2025",
       "obs:wp2016-iii-iv-asean-internet-economy-2025",
       """obs:wp2016-iii-iv-asean-internet-economy-2025 cakg:refArea group:asean-member-states ;
             cakg:refPeriod "2025"^^xsd:gYear ; cakg:unit unit:usd-billion ; cakg:isProjection true ;
             cakg:obsValue ?v . FILTER(?v = 200)""",
       r"will increase by 6.5 times to reach \$200 billion"),
    wp("III.(IV)", "mobile Internet to contribute 4.2% of China's GDP in 2020",
       "obs:wp2016-iii-iv-chn-mobile-internet-gdp-2020",
       """obs:wp2016-iii-iv-chn-mobile-internet-gdp-2020 cakg:refArea country:chn ; cakg:refPeriod "2020"^^xsd:gYear ;
             cakg:isProjection true ; cakg:obsValue ?v . FILTER(?v = 4.2)""",
       "mobile Internet will contribute 4.2% to the GDP in 2020"),
    wp("III.(IV)", "a proposed online media cooperation mechanism",
       "mechanism:wp2016-china-asean-online-media-cooperation-mechanism",
       """mechanism:wp2016-china-asean-online-media-cooperation-mechanism cakg:status "proposed" ;
             cakg:participant country:chn , org:asean .
           recommendation:wp2016-iii-iv-1 cakg:refersTo mechanism:wp2016-china-asean-online-media-cooperation-mechanism .""",
       "both sides should establish a mechanism for cooperation and exchange between China and ASEAN in online media"),
    wp("III.(IV)", "Singapore, Malaysia and other ASEAN countries share medical resources",
       "recommendation:wp2016-iii-iv-2",
       """recommendation:wp2016-iii-iv-2 cakg:participant group:wp2016-iii-iv-singapore-malaysia-and-other-asean-countries .
           group:wp2016-iii-iv-singapore-malaysia-and-other-asean-countries cakg:hasMember country:sgp , country:mys ;
             cakg:vagueness ?vague .""",
       "China should encourage Singapore, Malaysia and other ASEAN countries to network and share China's "
       "high-quality medical resources"),
    # --- III.(V) -------------------------------------------------------------
    wp("III.(V)", "joint smart city demonstration projects",
       "project:wp2016-china-asean-smart-city-demonstration-projects",
       """project:wp2016-china-asean-smart-city-demonstration-projects cakg:status "proposed" ;
             cakg:participant country:chn , group:asean-member-states .""",
       "jointly carry out tentative and demonstrative projects centering on smart industrial parks, smart urban "
       "districts and smart cities"),
    wp("III.(V)", "smart grid standards", "recommendation:wp2016-iii-v-2",
       "recommendation:wp2016-iii-v-2 a cakg:Recommendation ; cakg:topic topic:smart-grid .",
       "promote bilateral cooperation in internationalization of technological standards for smart grid"),
    wp("III.(V)", "technological innovation and demonstration", "recommendation:wp2016-iii-v-1",
       """recommendation:wp2016-iii-v-1 a cakg:Recommendation ;
             cakg:refersTo project:wp2016-china-asean-smart-city-demonstration-projects .""",
       "First, promoting synergic technological innovation and cooperation demonstration in smart city development."),
    # --- III.(VI) ------------------------------------------------------------
    wp("III.(VI)", "build on the telecom ministers' consultation mechanism", "recommendation:wp2016-iii-vi-1",
       """recommendation:wp2016-iii-vi-1 cakg:refersTo mechanism:china-asean-telecom-ministers-meeting ,
             mechanism:wp2016-regional-cyber-security-emergency-response-cooperation-system .""",
       "On the basis of the current the China-ASEAN telecom ministers' consultation mechanism"),
    wp("III.(VI)", "a proposed computer emergency response mechanism",
       "mechanism:wp2016-china-asean-computer-emergency-response-mechanism",
       """mechanism:wp2016-china-asean-computer-emergency-response-mechanism a cakg:Mechanism ;
             cakg:status "proposed" ; cakg:participant country:chn , org:asean .""",
       "establish a China - ASEAN computer emergency response organization and cooperation mechanism"),
    wp("III.(VI)", "regularly hold the Cyber Security Seminar", "recommendation:wp2016-iii-vi-2",
       "recommendation:wp2016-iii-vi-2 cakg:refersTo mechanism:china-asean-cyber-security-seminar .",
       "regularly held the China - ASEAN Cyber Security Seminar"),
    wp("III.(VI)", "a China-ASEAN Internet governance system", "mechanism:wp2016-china-asean-internet-governance-system",
       'mechanism:wp2016-china-asean-internet-governance-system cakg:status "proposed" ; cakg:topic topic:cyber-governance .',
       "gradually build an active, effective and transparent China - ASEAN Internet governance system"),
]

COMMITMENT_OPENINGS = {
    1: "1. Exchange best practices",
    2: "2. Explore cooperation on standards",
    3: "3. Advance technological innovation",
    4: "4. Support private sector collaboration",
    5: "5. Strengthen cooperation platforms",
    6: "6. Encourage the establishment of mutually-beneficial city partnerships",
    7: "7. Explore opportunities to incorporate cultural linkages",
    8: "8. Promote capacity building and knowledge sharing",
}

SC2019_FACTS = [
    # --- preamble ------------------------------------------------------------
    sc("preamble", "adopted on 2019-11-03 in Bangkok at the 22nd ASEAN-China Summit", STATEMENT,
       f"""{STATEMENT} a cakg:Agreement ; cakg:date "2019-11-03"^^xsd:date ; cakg:location city:bangkok ;
             cakg:adoptedAt event:asean-china-summit-22-2019 ; cakg:party group:asean-member-states , country:chn .""",
       "gathered on 3 November 2019 in Bangkok on the occasion of the 22nd ASEAN-China Summit"),
    sc("preamble", "the 22nd ASEAN-China Summit", "event:asean-china-summit-22-2019",
       """event:asean-china-summit-22-2019 a cakg:Event ; cakg:sessionOf mechanism:asean-china-summit ;
             cakg:ordinal 22 ; cakg:date "2019-11-03"^^xsd:date ; cakg:location city:bangkok .""",
       "gathered on 3 November 2019 in Bangkok on the occasion of the 22nd ASEAN-China Summit"),
    sc("preamble", "the Strategic Partnership Vision 2030 of 14 November 2018",
       ("agreement:asean-china-strategic-partnership-vision-2030", "event:asean-china-summit-21-2018"),
       """agreement:asean-china-strategic-partnership-vision-2030 cakg:adoptedAt event:asean-china-summit-21-2018 ;
             cakg:date "2018-11-14"^^xsd:date .
           event:asean-china-summit-21-2018 cakg:ordinal 21 ; cakg:date "2018-11-14"^^xsd:date .""",
       "adopted at the 21st ASEAN-China Summit on 14 November 2018"),
    sc("preamble", "the EAS statement on ASEAN Smart Cities of 15 November 2018",
       ("agreement:eas-statement-asean-smart-cities-2018", "event:east-asia-summit-13-2018"),
       """agreement:eas-statement-asean-smart-cities-2018 cakg:adoptedAt event:east-asia-summit-13-2018 ;
             cakg:date "2018-11-15"^^xsd:date .
           event:east-asia-summit-13-2018 cakg:ordinal 13 ; cakg:sessionOf mechanism:east-asia-summit .""",
       "adopted at the 13th East Asia Summit on 15 November 2018"),
    # --- the eight commitments: each is numbered and belongs to the statement ---
    *(sc(str(n), f"commitment {n} of the statement", f"commitment:sc2019-{n}",
         f"""commitment:sc2019-{n} a cakg:Commitment ; cakg:commitmentNumber {n} ; cakg:commitmentOf {STATEMENT} .
             {STATEMENT} cakg:hasCommitment commitment:sc2019-{n} .""",
         opening, passage=f"sc2019-{n}-p1")
      for n, opening in COMMITMENT_OPENINGS.items()),
    # --- what each commitment says ---------------------------------------------
    sc("1", "administrative authorities, municipal governments and research institutions", "commitment:sc2019-1",
       """commitment:sc2019-1 cakg:involves group:sc2019-1-administrative-authorities ,
             group:sc2019-1-municipal-governments , group:sc2019-1-research-institutions .
           group:sc2019-1-municipal-governments cakg:vagueness ?vague .""",
       "relevant administrative authorities, municipal governments and research institutions"),
    sc("2", "standards and capacity building for standardization", "commitment:sc2019-2",
       "commitment:sc2019-2 cakg:topic topic:standardisation .",
       "strengthen capacity building for standardization"),
    sc("3", "renewable energy, energy-efficiency and clean technology", "commitment:sc2019-3",
       "commitment:sc2019-3 cakg:topic topic:science-technology-innovation .",
       "renewable energy, energy-efficiency, and clean technology applications"),
    sc("4", "enterprises including start-ups", "commitment:sc2019-4",
       "commitment:sc2019-4 cakg:involves group:sc2019-4-enterprises . group:sc2019-4-enterprises cakg:vagueness ?vague .",
       "cooperation among enterprises, including start-ups"),
    sc("5", "the ASCN and the ASEAN Sustainable Urbanisation Strategy",
       ("commitment:sc2019-5", "policy:asean-sustainable-urbanisation-strategy"),
       """commitment:sc2019-5 cakg:refersTo mechanism:asean-smart-cities-network ,
             policy:asean-sustainable-urbanisation-strategy .
           policy:asean-sustainable-urbanisation-strategy cakg:issuedBy org:asean .""",
       "including the ASCN and the ASEAN Sustainable Urbanisation Strategy (ASUS)"),
    sc("6", "Nanning, Xiamen, Hangzhou, Jinan, Kunming, Shenzhen, Nanjing and Chengdu", "commitment:sc2019-6",
       """commitment:sc2019-6 cakg:candidatePartnerCity city:nanning , city:xiamen , city:hangzhou , city:jinan ,
             city:kunming , city:shenzhen , city:nanjing , city:chengdu ;
             cakg:refersTo mechanism:asean-smart-cities-network .""",
       "Chinese cities, such as Nanning, Xiamen, Hangzhou, Jinan, Kunming, Shenzhen, Nanjing and Chengdu"),
    sc("7", "cultural linkages between ASEAN and Chinese cities", "commitment:sc2019-7",
       "commitment:sc2019-7 cakg:topic topic:city-partnerships ; cakg:vagueness ?vague .",
       "cultural linkages between ASEAN and Chinese cities"),
    sc("8", "universities, enterprises and research institutions train", "commitment:sc2019-8",
       """commitment:sc2019-8 cakg:topic topic:capacity-building ;
             cakg:involves group:sc2019-8-universities , group:sc2019-8-enterprises , group:sc2019-8-research-institutions .""",
       "encouraging universities, enterprises and research institutions to conduct training programs"),
    # --- closing -------------------------------------------------------------
    sc("closing", "adopted in Bangkok, Thailand", STATEMENT,
       f"{STATEMENT} cakg:location city:bangkok . city:bangkok cakg:locatedIn country:tha .",
       "Adopted in Bangkok, Thailand"),
    sc("closing", "adopted on the third of November 2019", STATEMENT,
       f'{STATEMENT} cakg:date "2019-11-03"^^xsd:date .',
       "on the Third of November in the Year Two Thousand and Nineteen"),
]

SECTION_FACTS = WP2016_FACTS + SC2019_FACTS


@pytest.mark.parametrize("fact", SECTION_FACTS, ids=lambda f: f.id)
def test_section_fact_is_encoded_with_evidence_from_its_section(real_store, fact):
    assert ask(real_store, fact.pattern), f"[{fact.id}] the graph does not state:\n{fact.pattern}"
    for node in fact.nodes:
        evidence = evidence_of(real_store, node)
        here = [e for e in evidence if e["code"] == fact.doc and e["number"] == fact.section]
        assert here, (f"[{fact.id}] {node} cites no passage of {fact.doc} {fact.section}; "
                      f"it cites {sorted({(e['code'], e['number']) for e in evidence})}")
        quoting = [e for e in here if fact.words in e["quote"]]
        assert quoting, f"[{fact.id}] no evidence of {node} from {fact.section} quotes {fact.words!r}"
        if fact.passage:
            assert any(e["passage"] == ID + "passage/" + fact.passage for e in quoting), \
                f"[{fact.id}] {node} does not quote {fact.words!r} from passage {fact.passage}"


def test_every_section_with_paragraphs_has_two_to_four_checked_facts(real_store):
    rows = select(real_store, """
        SELECT DISTINCT ?code ?number WHERE {
          ?passage cakg:passageKind "paragraph" ; cakg:section ?section ; cakg:inDocument ?doc .
          ?section cakg:sectionNumber ?number . ?doc cakg:shortCode ?code .
        }""")
    sections = {(r["code"], r["number"]) for r in rows}
    counts: dict[tuple[str, str], int] = {}
    for f in SECTION_FACTS:
        counts[(f.doc, f.section)] = counts.get((f.doc, f.section), 0) + 1
    assert set(counts) == sections, f"unchecked: {sections - set(counts)}; unknown: {set(counts) - sections}"
    wrong = {s: n for s, n in counts.items() if not 2 <= n <= 4}
    assert not wrong, f"sections with fewer than 2 or more than 4 facts: {wrong}"


# --- facts the brief singles out, checked in full ----------------------------

def test_the_2019_statement_has_exactly_eight_commitments_numbered_1_to_8(real_store):
    rows = select(real_store, f"""
        SELECT ?commitment ?number WHERE {{
          {{ {STATEMENT} cakg:hasCommitment ?commitment }} UNION {{ ?commitment cakg:commitmentOf {STATEMENT} }}
          OPTIONAL {{ ?commitment cakg:commitmentNumber ?number }}
        }}""")
    by_node = {r["commitment"]: r.get("number") for r in rows}
    assert len(by_node) == 8, sorted(by_node)
    assert sorted(int(n) for n in by_node.values() if n is not None) == list(range(1, 9))
    for node, number in by_node.items():
        sections = {e["number"] for e in evidence_of(real_store, f"<{node}>") if e["code"] == "sc2019"}
        assert sections == {number}, f"commitment {number} ({node}) cites sections {sections}"


def test_commitment_6_names_exactly_the_eight_chinese_cities_of_the_text(real_store):
    text = source_text("asean-china-smart-city-statement-2019.txt")
    listed = re.search(r"Chinese cities, such as (.+?), as well as", text).group(1)
    names = set(re.split(r", | and ", listed))
    assert len(names) == 8
    rows = select(real_store, """
        SELECT ?city ?name WHERE {
          commitment:sc2019-6 cakg:candidatePartnerCity ?city .
          ?city rdfs:label ?name . FILTER(lang(?name) = "en")
          ?city a cakg:City ; cakg:locatedIn country:chn .
        }""")
    assert {r["name"] for r in rows} == names
    assert len(select(real_store, "SELECT ?c WHERE { commitment:sc2019-6 cakg:candidatePartnerCity ?c }")) == 8


# -----------------------------------------------------------------------------
# 2. Every quote is verbatim in its passage and in the source file
# -----------------------------------------------------------------------------

def test_every_evidence_quotes_an_existing_passage(real_store):
    rows = select(real_store, """
        SELECT ?evidence ?quote ?passage WHERE {
          ?evidence cakg:quote ?quote .
          OPTIONAL { ?evidence prov:wasQuotedFrom ?passage . ?passage a cakg:Passage ; cakg:text ?text }
        }""")
    assert len(rows) > 300
    dangling = [(r["evidence"], r["quote"][:60]) for r in rows if "passage" not in r]
    assert not dangling, f"evidence without a generated passage: {dangling}"


def test_every_quote_occurs_verbatim_in_its_passage_and_source_file(real_store):
    rows = select(real_store, """
        SELECT ?quote ?passage ?text ?file WHERE {
          ?evidence cakg:quote ?quote ; prov:wasQuotedFrom ?passage .
          ?passage cakg:text ?text ; cakg:inDocument ?doc .
          ?doc cakg:sourceFile ?file .
        }""")
    assert len(rows) > 300
    files = {name: source_text(name) for name in {r["file"] for r in rows}}
    assert set(files) == {"caict-white-paper-2016.txt", "asean-china-smart-city-statement-2019.txt"}
    not_in_passage = [(r["passage"], r["quote"]) for r in rows if r["quote"] not in r["text"]]
    not_in_file = [(r["file"], r["quote"]) for r in rows if r["quote"] not in files[r["file"]]]
    assert not not_in_passage, f"quotes missing from the passage they cite: {not_in_passage}"
    assert not not_in_file, f"quotes missing from the source file: {not_in_file}"


# -----------------------------------------------------------------------------
# 3. Every fact node has evidence
# -----------------------------------------------------------------------------

FACT_CLASSES = ["cakg:Agreement", "cakg:Policy", "cakg:InfrastructureLink", "cakg:InfrastructureFacility",
                "cakg:Project", "cakg:Investment", "cakg:Mechanism", "cakg:Event", "cakg:Commitment",
                "cakg:Recommendation", "cakg:Partnership", "cakg:MarketEntry", "qb:Observation"]


@pytest.mark.parametrize("cls", FACT_CLASSES)
def test_every_fact_node_has_evidence_with_a_quote_and_a_passage(real_store, cls):
    rows = select(real_store, f"""
        SELECT ?fact (EXISTS {{
          ?fact cakg:evidence ?evidence . ?evidence cakg:quote ?quote ; prov:wasQuotedFrom ?passage .
          ?passage a cakg:Passage .
        }} AS ?cited) WHERE {{ ?fact a {cls} }}""")
    assert rows, f"no instance of {cls}: nothing to check"
    missing = sorted(r["fact"] for r in rows if r["cited"] != "true")
    assert not missing, f"{cls} without evidence: {missing}"


# -----------------------------------------------------------------------------
# 4. Labels
# -----------------------------------------------------------------------------

def test_every_entity_and_fact_has_exactly_one_english_label(real_store):
    rows = select(real_store, """
        SELECT ?node (COUNT(DISTINCT ?label) AS ?n) WHERE {
          { ?node ?p ?o } UNION { ?s ?p ?node }
          FILTER(isIRI(?node) && STRSTARTS(STR(?node), "https://w3id.org/cakg/id/"))
          FILTER(!REGEX(STR(?node), "^https://w3id.org/cakg/id/(evidence|passage|section|edge|void)/"))
          FILTER NOT EXISTS { ?node skos:prefLabel ?concept }
          OPTIONAL { ?node rdfs:label ?label . FILTER(langMatches(lang(?label), "en")) }
        } GROUP BY ?node""")
    assert len(rows) > 400
    wrong = sorted((r["node"], r["n"]) for r in rows if r["n"] != "1")
    assert not wrong, f"nodes without exactly one English rdfs:label: {wrong}"


ZH_CLASSES = ["cakg:Country", "cakg:City", "cakg:Region", "cakg:Organisation", "cakg:Company",
              "cakg:Agreement", "cakg:Policy"]


@pytest.mark.parametrize("cls", ZH_CLASSES)
def test_every_named_entity_has_a_chinese_label(real_store, cls):
    rows = select(real_store, f"""
        SELECT ?node (EXISTS {{ ?node rdfs:label ?zh FILTER(lang(?zh) = "zh") }} AS ?has) WHERE {{
          ?node a {cls} . FILTER(STRSTARTS(STR(?node), "https://w3id.org/cakg/id/"))
        }}""")
    assert rows
    missing = sorted(r["node"] for r in rows if r["has"] != "true")
    assert not missing, f"{cls} without rdfs:label@zh: {missing}"


NATIVE_LANGUAGE = {"brn": "ms", "khm": "km", "idn": "id", "lao": "lo", "mys": "ms", "mmr": "my",
                   "phl": "fil", "sgp": "ms", "tha": "th", "vnm": "vi"}


def test_every_asean_member_state_has_a_label_in_its_national_language(real_store):
    rows = select(real_store, """
        SELECT ?country ?lang WHERE {
          ?country cakg:memberOf org:asean ; a cakg:Country .
          OPTIONAL { ?country rdfs:label ?label . BIND(LCASE(lang(?label)) AS ?lang) }
        }""")
    languages: dict[str, set[str]] = {}
    for r in rows:
        languages.setdefault(r["country"].rsplit("/", 1)[1], set()).add(r.get("lang", ""))
    assert set(languages) == set(NATIVE_LANGUAGE)
    missing = {c: lang for c, lang in NATIVE_LANGUAGE.items() if lang not in languages[c]}
    assert not missing, f"member states without a native-language label: {missing}"


# -----------------------------------------------------------------------------
# 5. Outside identifiers only as the reference gives them
# -----------------------------------------------------------------------------

REFERENCE = (SOURCES / "reference-identifiers.md").read_text(encoding="utf-8")


def reference_section(title: str) -> str:
    return REFERENCE.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def reference_table(title: str) -> list[list[str]]:
    lines = [line for line in reference_section(title).splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def reference_qids() -> dict[str, tuple[str, str]]:
    """Reference name -> (QID, status) for every entry that gives a QID."""
    found: dict[str, tuple[str, str]] = {}
    for name, _a2, _a3, wikidata in reference_table("Countries"):
        qid, status = re.match(r"(Q\d+) \((C1|C|\?)\)", wikidata).groups()
        found[name] = (qid, status)
    for name, qid, status in re.findall(r"([^·\n]+?) (Q\d+) \((C1|C|\?)\)",
                                        reference_section("Organisations and companies")):
        found[name.strip()] = (qid, status)
    for name, wikidata, _lat, _long in reference_table("Cities (approximate centre, decimal degrees)"):
        match = re.match(r"(Q\d+) \((C1|C|\?)\)", wikidata)
        if match:
            found[name] = match.groups()
    return found


def test_the_reference_parses_into_the_expected_entries():
    qids = reference_qids()
    assert qids["Nanjing"] == ("Q16666", "C") and qids["Jinan"] == ("Q170247", "C1")
    assert qids["Baidu"] == ("Q14772", "C") and qids["ASEAN"] == ("Q7768", "C")
    assert len(reference_table("Countries")) == 11


def test_wikidata_links_use_only_confirmed_qids_of_the_same_entity(real_store):
    qids = reference_qids()
    usable = {qid for qid, status in qids.values() if status in ("C", "C1")}
    rows = select(real_store, """
        SELECT ?node ?target (GROUP_CONCAT(DISTINCT ?name; SEPARATOR="|") AS ?names) WHERE {
          VALUES ?link { owl:sameAs skos:exactMatch }
          ?node ?link ?target .
          FILTER(STRSTARTS(STR(?node), "https://w3id.org/cakg/id/") && CONTAINS(STR(?target), "wikidata.org"))
          { ?node rdfs:label ?name } UNION { ?node skos:altLabel ?name }
          FILTER(langMatches(lang(?name), "en"))
        } GROUP BY ?node ?target""")
    assert len(rows) >= 11 + 7
    for r in rows:
        assert r["target"].startswith(WIKIDATA), r
        qid = r["target"][len(WIKIDATA):]
        assert qid in usable, f"{r['node']} links {qid}, which the reference does not confirm"
        names = set(r["names"].split("|"))
        assert any(qids.get(name, (None,))[0] == qid for name in names), \
            f"{r['node']} ({names}) links {qid}, which the reference gives to another entity"


def test_each_country_carries_its_iso_codes_and_wikidata_link(real_store):
    for name, alpha2, alpha3, wikidata in reference_table("Countries"):
        node = f"country:{alpha3.lower()}"
        rows = select(real_store, f"""
            SELECT ?a2 ?a3 ?label ?same WHERE {{
              OPTIONAL {{ {node} cakg:isoAlpha2 ?a2 }} OPTIONAL {{ {node} cakg:isoAlpha3 ?a3 }}
              OPTIONAL {{ {node} rdfs:label ?label FILTER(lang(?label) = "en") }}
              OPTIONAL {{ {node} owl:sameAs ?same FILTER(STRSTARTS(STR(?same), "{WIKIDATA}")) }}
            }}""")
        assert {r.get("a2") for r in rows} == {alpha2}, f"{name}: alpha-2"
        assert {r.get("a3") for r in rows} == {alpha3}, f"{name}: alpha-3"
        assert {r.get("label") for r in rows} == {name}, f"{name}: English label"
        assert {r.get("same") for r in rows} == {WIKIDATA + wikidata.split()[0]}, f"{name}: Wikidata"


def test_city_coordinates_equal_the_reference(real_store):
    rows = reference_table("Cities (approximate centre, decimal degrees)")
    assert len(rows) == 18
    for name, _wikidata, lat, long in rows:
        found = select(real_store, f"""
            SELECT ?city ?lat ?long WHERE {{
              ?city a cakg:City ; rdfs:label {string(name)}@en .
              OPTIONAL {{ ?city geo:lat ?lat }} OPTIONAL {{ ?city geo:long ?long }}
            }}""")
        assert len(found) == 1, f"{name}: expected one city with one lat/long, got {found}"
        assert Decimal(found[0].get("lat", "NaN")) == Decimal(lat), f"{name}: geo:lat"
        assert Decimal(found[0].get("long", "NaN")) == Decimal(long), f"{name}: geo:long"


# -----------------------------------------------------------------------------
# 6. Table 1, cell by cell
# -----------------------------------------------------------------------------

TABLE_AREAS = {
    "Singapore": "country:sgp", "Brunei": "country:brn", "Malaysia": "country:mys", "Thailand": "country:tha",
    "Vietnam": "country:vnm", "The Philippines": "country:phl", "Indonesia": "country:idn",
    "Cambodia": "country:khm", "Laos": "country:lao", "Myanmar": "country:mmr", "China": "country:chn",
    "ASEAN": "group:asean-member-states",
}

# (word of the column header, indicator, unit, the unit's English prefLabel)
TABLE_COLUMNS = [
    ("Area", "area", "square-km", "Sq. km"),
    ("GDP", "gdp", "usd-100-million", "100 M USD"),
    ("Population", "population", "persons-10-thousand", "10,000"),
    ("Internet Users", "internet-users", "persons-10-thousand", "10,000"),
    ("Internet Penetration Rate", "internet-penetration-rate", "percent", "%"),
    ("IDI Index", "idi", "index-points", "index points"),
    ("IDI Global Ranking", "idi-global-rank", "rank", "rank"),
]


def table_1() -> tuple[list[str], list[list[str]]]:
    """Header lines and data rows (cells) of Table 1 as the source file prints them."""
    text = source_text("caict-white-paper-2016.txt")
    body = text.split("\nTable 1 ", 1)[1].split("\nNote:", 1)[0]
    lines = [line.strip() for line in body.splitlines() if "\t" in line]
    headers = [line for line in lines if line.startswith("Area")]
    rows = [line.split("\t") for line in lines if not line.startswith("Area")]
    return headers, rows


def test_table_1_parses_into_12_rows_of_7_cells():
    headers, rows = table_1()
    assert len(headers) == 2 and len(rows) == 12
    assert [r[0] for r in rows] == list(TABLE_AREAS)
    for header in headers:
        cells = header.split("\t")
        assert len(cells) == 7
        for cell, (word, _ind, _unit, label) in zip(cells, TABLE_COLUMNS):
            assert word in cell
            if label not in ("%", "index points", "rank"):
                assert f"({label})" in cell
    assert all(len(r) == 8 for r in rows)


def table_observations(store) -> list[dict[str, str]]:
    return select(store, """
        SELECT ?obs ?area ?indicator ?unit ?unitLabel ?value WHERE {
          ?obs qb:dataSet dataset:wp2016-table-1 ; a qb:Observation ;
               cakg:refArea ?area ; cakg:indicator ?indicator ; cakg:unit ?unit ; cakg:obsValue ?value .
          OPTIONAL { ?unit skos:prefLabel ?unitLabel FILTER(lang(?unitLabel) = "en") }
        }""")


def test_table_1_has_83_observations_equal_to_the_cells(real_store):
    _headers, rows = table_1()
    observations = table_observations(real_store)
    assert len({o["obs"] for o in observations}) == len(observations) == 83
    by_cell = {(o["area"], o["indicator"]): o for o in observations}
    assert len(by_cell) == 83, "two observations for one cell"
    expected = 0
    for name, *cells in rows:
        area = iri(TABLE_AREAS[name])
        for cell, (_word, indicator, unit, label) in zip(cells, TABLE_COLUMNS):
            key = (area, iri(f"indicator:{indicator}"))
            if cell == "-":
                assert key not in by_cell, f"{name} {indicator}: the table has no value, the graph has one"
                continue
            expected += 1
            assert key in by_cell, f"{name} {indicator}: no observation for cell {cell!r}"
            obs = by_cell[key]
            assert Decimal(obs["value"]) == Decimal(cell.rstrip("%")), f"{name} {indicator}: {obs['value']} != {cell}"
            assert obs["unit"] == iri(f"unit:{unit}"), f"{name} {indicator}: unit {obs['unit']}"
            assert obs.get("unitLabel") == label
            assert cell.endswith("%") == (unit == "percent")
    assert expected == 83


def test_table_1_cells_cite_their_row_and_the_header_above_it(real_store):
    headers, rows = table_1()
    lines = {"\t".join(r) for r in rows}
    header_positions = sorted(int(r["pos"]) for r in select(real_store, """
        SELECT ?pos WHERE { ?p cakg:isHeaderRow true ; cakg:section section:wp2016-i-ii ; cakg:position ?pos }"""))
    assert len(header_positions) == 2
    evidence = select(real_store, """
        SELECT ?obs ?quote ?pos ?header WHERE {
          ?obs qb:dataSet dataset:wp2016-table-1 ; cakg:evidence ?e .
          ?e cakg:quote ?quote ; prov:wasQuotedFrom ?p .
          ?p cakg:position ?pos ; cakg:section section:wp2016-i-ii .
          OPTIONAL { ?p cakg:isHeaderRow ?header }
        }""")
    by_obs: dict[str, list[dict[str, str]]] = {}
    for e in evidence:
        by_obs.setdefault(e["obs"], []).append(e)
    assert len(by_obs) == 83
    for obs, cited in by_obs.items():
        row = [e for e in cited if e["quote"] in lines]
        header = [e for e in cited if e["quote"] in headers and e.get("header") == "true"]
        assert len(row) == 1, f"{obs} does not cite exactly one whole table row"
        assert header, f"{obs} does not cite the header row"
        above = max(p for p in header_positions if p < int(row[0]["pos"]))
        assert {int(h["pos"]) for h in header} == {above}, f"{obs} cites a header not printed above its row"
        name = row[0]["quote"].split("\t", 1)[0]
        code = "asean" if name == "ASEAN" else TABLE_AREAS[name].split(":")[1]
        assert f"/wp2016-table-1-{code}-" in obs, f"{obs} cites the row of {name}"


# -----------------------------------------------------------------------------
# 7. Derived network edges
# -----------------------------------------------------------------------------

@pytest.mark.parametrize("relation", ["cakg:cooperatesWith", "cakg:connectedTo"])
def test_every_derived_edge_leads_back_to_evidence(real_store, relation):
    rows = select(real_store, f"""
        SELECT ?a ?b (EXISTS {{
          ?edge a cakg:DerivedEdge ; cakg:relation {relation} ; cakg:derivedFrom ?fact .
          {{ ?edge cakg:edgeSource ?a ; cakg:edgeTarget ?b }} UNION {{ ?edge cakg:edgeSource ?b ; cakg:edgeTarget ?a }}
          ?fact cakg:evidence ?evidence . ?evidence cakg:quote ?quote .
        }} AS ?traced) WHERE {{ ?a {relation} ?b }}""")
    assert rows, f"no {relation} edges"
    untraced = sorted((r["a"], r["b"]) for r in rows if r["traced"] != "true")
    assert not untraced, f"{relation} without an edge node leading to evidence: {untraced}"


def test_no_network_edge_is_written_in_a_data_graph(real_store):
    rows = select(real_store, """
        SELECT ?g ?s ?p ?o WHERE {
          VALUES ?p { cakg:cooperatesWith cakg:connectedTo cakg:edgeSource cakg:edgeTarget cakg:derivedFrom }
          GRAPH ?g { ?s ?p ?o }
          FILTER(STRSTARTS(STR(?g), "https://w3id.org/cakg/graph/data/"))
        } LIMIT 10""")
    assert not rows, f"network edges written by hand: {rows}"
    assert ask(real_store, "GRAPH <https://w3id.org/cakg/graph/derived> { ?a cakg:cooperatesWith ?b }")


def test_mct_cable_connects_malaysia_cambodia_and_thailand(real_store):
    countries = ["country:mys", "country:khm", "country:tha"]
    for a in countries:
        for b in countries:
            if a == b:
                continue
            assert ask(real_store, f"{a} cakg:connectedTo {b} ."), f"{a} not connectedTo {b}"
            assert ask(real_store, f"""
                ?edge a cakg:DerivedEdge ; cakg:relation cakg:connectedTo ; cakg:derivedFrom infra:mct-cable ;
                      cakg:edgeSource ?s ; cakg:edgeTarget ?t .
                FILTER((?s = {a} && ?t = {b}) || (?s = {b} && ?t = {a}))"""), f"no edge node {a}-{b} from MCT"


# -----------------------------------------------------------------------------
# 8. Vague groups stay vague
# -----------------------------------------------------------------------------

def members(store, group: str) -> set[str]:
    return {r["m"] for r in select(store, f"SELECT ?m WHERE {{ {group} cakg:hasMember ?m }}")}


def vagueness(store, group: str) -> str:
    rows = select(store, f"SELECT ?v WHERE {{ {group} cakg:vagueness ?v }}")
    assert len(rows) == 1, f"{group} has no cakg:vagueness"
    return rows[0]["v"]


def test_some_other_asean_countries_is_a_vague_group_without_guessed_members(real_store):
    group = "group:wp2016-ii-i-2-some-other-asean-countries"
    assert ask(real_store, f"{group} a cakg:CountryGroup .")
    assert "some other ASEAN countries" in vagueness(real_store, group)
    assert members(real_store, group) == set()
    assert ask(real_store, f"infra:china-other-asean-countries-network-interconnection cakg:connects {group} .")


def test_the_mou_parties_keep_other_seven_asean_countries_vague(real_store):
    parties = {r["p"] for r in select(real_store,
                                      "SELECT ?p WHERE { agreement:mou-cross-border-e-commerce-2015 cakg:party ?p }")}
    organisations = "group:wp2016-ii-ii-3-asean-industrial-commercial-organisations"
    assert parties == {iri("org:ccpit"), iri(organisations)}
    assert "other seven ASEAN countries" in vagueness(real_store, organisations)
    assert members(real_store, organisations) == set()
    countries = "group:wp2016-ii-ii-3-laos-malaysia-and-seven-other-asean-countries"
    assert "other seven ASEAN countries" in vagueness(real_store, countries)
    assert members(real_store, countries) == {iri("country:lao"), iri("country:mys")}


# -----------------------------------------------------------------------------
# 9. Cooperation edges pair actors only by their roles in a fact
# -----------------------------------------------------------------------------

PROVIDERS = ("builtBy", "designedBy", "aidedBy", "fundedBy", "operatedBy")
COUNTED = ("party", "participant", "hostedBy", "investor", "investee", "connects") + PROVIDERS
INTENTIONS = ("proposed", "planned", "expected")


def expected_cooperation(store) -> dict[tuple[str, str], dict[str, Fraction]]:
    """The cooperation edges the documented pairing table gives, computed here in Python from the facts'
    roles: (a, b) with a < b → {fact: weight 1/(n-1)}. An independent check of rules/cooperates-with.rq."""
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in select(store, """
        SELECT ?fact ?role ?x WHERE {
          VALUES ?role { cakg:party cakg:participant cakg:hostedBy cakg:invitee cakg:dialoguePartner cakg:entrant
                         cakg:builtBy cakg:designedBy cakg:aidedBy cakg:fundedBy cakg:operatedBy cakg:investor
                         cakg:investee cakg:connects }
          ?fact ?role ?x . ?x a cakg:Actor .
        }"""):
        roles[r["fact"]][r["role"].rsplit("#", 1)[1]].add(r["x"])
    kinds: dict[str, set[str]] = defaultdict(set)
    for r in select(store, "SELECT ?f ?k WHERE { ?f a ?k . FILTER(STRSTARTS(STR(?k), STR(cakg:))) }"):
        kinds[r["f"]].add(r["k"].rsplit("#", 1)[1])
    statuses: dict[str, set[str]] = defaultdict(set)
    for r in select(store, "SELECT ?f ?s WHERE { ?f cakg:status ?s }"):
        statuses[r["f"]].add(r["s"].lower())
    fold = {r["g"]: r["o"] for r in select(store, "SELECT ?g ?o WHERE { ?g cakg:memberStatesOf ?o }")}
    node = lambda x: fold.get(x, x)  # noqa: E731
    found: dict[tuple[str, str], dict[str, Fraction]] = defaultdict(dict)
    for fact, by_role in roles.items():
        if kinds[fact] & {"Recommendation", "Commitment", "MarketEntry"} or statuses[fact] & set(INTENTIONS):
            continue
        actors = {node(x) for role in COUNTED for x in by_role.get(role, ())}
        if len(actors) < 2:
            continue
        counterparts = by_role["invitee"] | by_role["dialoguePartner"] | by_role["entrant"]
        principals = by_role["hostedBy"] | (by_role["participant"] - counterparts)
        providers = set().union(*(by_role[p] for p in PROVIDERS))
        pairs: set[tuple[str, str]] = set()
        if "Agreement" in kinds[fact]:
            pairs |= {(x, y) for x in by_role["party"] for y in by_role["party"]}
        pairs |= {(x, y) for x in principals for y in principals}
        pairs |= {(x, y) for x in principals for y in by_role["invitee"] | by_role["dialoguePartner"]}
        pairs |= {(x, y) for x in providers for y in providers}
        if "InfrastructureLink" in kinds[fact]:
            pairs |= {(x, y) for x in providers for y in by_role["connects"]}
        pairs |= {(x, y) for x in providers for y in by_role["participant"]}
        if "NetworkInterconnection" in kinds[fact]:
            pairs |= {(x, y) for x in by_role["connects"] for y in by_role["connects"]}
        if "Investment" in kinds[fact]:
            pairs |= {(x, y) for x in by_role["investor"] for y in by_role["investee"]}
        for x, y in pairs:
            a, b = sorted((node(x), node(y)))
            if a != b:
                found[(a, b)][fact] = Fraction(1, len(actors) - 1)
    return found


def derived_cooperation(store) -> dict[tuple[str, str], dict[str, Fraction]]:
    found: dict[tuple[str, str], dict[str, Fraction]] = defaultdict(dict)
    for r in select(store, """
        SELECT ?a ?b ?fact ?n WHERE {
          ?edge a cakg:DerivedEdge ; cakg:relation cakg:cooperatesWith ; cakg:edgeSource ?a ; cakg:edgeTarget ?b ;
                cakg:support ?s .
          ?s cakg:derivedFrom ?fact ; cakg:actorCount ?n .
        }"""):
        found[(r["a"], r["b"])][r["fact"]] = Fraction(1, int(r["n"]) - 1)
    return found


def test_cooperation_edges_are_exactly_the_documented_role_pairings(real_store):
    expected, derived = expected_cooperation(real_store), derived_cooperation(real_store)
    assert len(derived) > 30
    assert set(derived) == set(expected), (sorted(set(derived) - set(expected)), sorted(set(expected) - set(derived)))
    assert derived == expected


def test_every_cooperation_edge_explains_itself(real_store):
    rows = select(real_store, """
        SELECT ?edge ?weight (COUNT(DISTINCT ?fact) AS ?facts) (COUNT(DISTINCT ?s) AS ?supports)
               (SUM(?share) AS ?total) (COUNT(DISTINCT ?rule) AS ?rules) WHERE {
          ?edge a cakg:DerivedEdge ; cakg:relation cakg:cooperatesWith ; cakg:weight ?weight ; cakg:derivedFrom ?fact .
          ?edge cakg:support ?s . ?s cakg:derivedFrom ?fact ; cakg:weight ?share ; cakg:derivedBy ?rule ;
             cakg:sourceRole ?sr ; cakg:targetRole ?tr ; cakg:sourceInFact ?sa ; cakg:targetInFact ?ta .
        } GROUP BY ?edge ?weight""")
    edges = {r["e"] for r in select(real_store, "SELECT ?e WHERE { ?e cakg:relation cakg:cooperatesWith }")}
    assert {r["edge"] for r in rows} == edges
    for r in rows:
        assert r["facts"] == r["supports"], r  # one support per fact
        assert int(r["rules"]) >= 1
    weights = {r["edge"]: Decimal(r["weight"]) for r in rows}
    shares = select(real_store, """
        SELECT ?edge ?share WHERE { ?edge cakg:relation cakg:cooperatesWith ; cakg:support ?s . ?s cakg:weight ?share }""")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for r in shares:
        totals[r["edge"]] += Decimal(r["share"])
    assert totals == weights


def test_the_16th_somtc_pairs_asean_with_each_invitee_and_no_two_invitees(real_store):
    invitees = [r["x"] for r in select(real_store, "SELECT ?x WHERE { event:somtc-16-2016 cakg:invitee ?x }")]
    assert len(invitees) == 11  # nine countries, the European Union, "and other countries"
    edges = derived_cooperation(real_store)
    asean = iri("org:asean")
    for a in invitees:
        for b in invitees:
            if a < b:
                assert "https://w3id.org/cakg/id/event/somtc-16-2016" not in edges.get((a, b), {}), (a, b)
        pair = tuple(sorted((a, asean)))
        assert edges[pair][iri("event:somtc-16-2016")] == Fraction(1, 11)
    assert not ask(real_store, "country:usa cakg:cooperatesWith country:rus")
    assert not ask(real_store, "country:jpn cakg:cooperatesWith country:can")
    assert not ask(real_store, "country:chn cakg:cooperatesWith country:usa")
    assert ask(real_store, """
        ?edge cakg:edgeSource country:chn ; cakg:edgeTarget org:asean ; cakg:support ?s .
        ?s cakg:derivedFrom event:somtc-16-2016 ; cakg:derivedBy cakg:rule-cooperates-host-counterpart ;
           cakg:sourceRole cakg:invitee ; cakg:targetRole cakg:hostedBy .""")


def test_partners_of_one_side_are_not_paired(real_store):
    assert not ask(real_store, "country:jpn cakg:cooperatesWith country:usa")
    assert not ask(real_store, "group:wp2016-ii-v-2-asia-pacific-countries cakg:cooperatesWith org:european-union")
    for partner in ("country:jpn", "country:usa", "group:wp2016-ii-v-2-asia-pacific-countries", "org:european-union"):
        assert ask(real_store, f"{partner} cakg:cooperatesWith org:asean"), partner


def test_market_entries_make_no_cooperation_edge_but_a_market_edge(real_store):
    entries = [r["e"] for r in select(real_store, "SELECT ?e WHERE { ?e a cakg:MarketEntry }")]
    assert len(entries) >= 14
    assert not ask(real_store, """
        ?edge cakg:relation cakg:cooperatesWith ; cakg:derivedFrom ?entry . ?entry a cakg:MarketEntry .""")
    for pair in (("org:baidu", "country:tha"), ("org:tencent", "country:mys"), ("org:baidu", "country:vnm")):
        assert not ask(real_store, f"{pair[0]} cakg:cooperatesWith {pair[1]}"), pair
        assert ask(real_store, f"{pair[0]} cakg:activeInMarket {pair[1]}"), pair
    marketed = {r["entry"] for r in select(real_store, """
        SELECT ?entry WHERE { ?edge cakg:relation cakg:activeInMarket ; cakg:derivedFrom ?entry }""")}
    assert marketed == set(entries)
    # The ASEAN market is ASEAN's node, the organisation's.
    assert ask(real_store, "org:alibaba cakg:activeInMarket org:asean")


def test_asean_and_its_member_states_are_linked_and_drawn_as_one_node(real_store):
    assert ask(real_store, "group:asean-member-states cakg:memberStatesOf org:asean ; cakg:evidence ?e .")
    assert not ask(real_store, "{ group:asean-member-states cakg:cooperatesWith ?x } UNION { ?e cakg:edgeSource group:asean-member-states } UNION { ?e cakg:edgeTarget group:asean-member-states }")
    # China's facts with the Member States (the 2019 statement) and with ASEAN are on one edge.
    assert ask(real_store, """
        ?edge cakg:edgeSource country:chn ; cakg:edgeTarget org:asean ;
              cakg:derivedFrom agreement:asean-china-smart-city-statement-2019 , agreement:china-asean-free-trade-area .""")


def test_multilateral_facts_weigh_one_over_n_minus_one(real_store):
    edges = derived_cooperation(real_store)
    gms = iri("infra:gms-is")
    builders = [iri(f"country:{c}") for c in ("chn", "mmr", "vnm", "tha", "lao", "khm")]
    for a in builders:
        for b in builders:
            if a < b:
                assert edges[(a, b)][gms] == Fraction(1, 5)
    assert edges[(iri("country:khm"), iri("org:huawei-marine"))] == {iri("infra:mct-cable"): Fraction(1, 3)}
    # The MCT cable's countries are connected, but the text names no cooperation between them.
    assert ask(real_store, "country:mys cakg:connectedTo country:khm")
    assert not ask(real_store, "country:mys cakg:cooperatesWith country:khm")


def test_facts_the_text_gives_as_intentions_derive_no_edge(real_store):
    assert not ask(real_store, f"""
        ?edge cakg:derivedFrom ?fact . ?fact cakg:status ?status .
        FILTER (LCASE(STR(?status)) IN ({", ".join(string(s) for s in INTENTIONS)}))""")
    assert not ask(real_store, """
        ?edge cakg:relation cakg:cooperatesWith ; cakg:derivedFrom ?fact .
        { ?fact a cakg:Recommendation } UNION { ?fact a cakg:Commitment }""")


def test_the_information_harbor_is_under_construction_from_its_quotes(real_store):
    harbor = "project:china-asean-information-harbor"
    assert {r["s"] for r in select(real_store, f"SELECT ?s WHERE {{ {harbor} cakg:status ?s }}")} == \
        {"under construction"}
    assert not ask(real_store, f"{harbor} cakg:date ?d")  # July 2016 is the date of China's Outline
    quotes = " ".join(e["quote"] for e in evidence_of(real_store, harbor))
    assert "accelerate the construction of China - ASEAN Information Harbor" in quotes
    assert "steadily and pragmatically advance the development of the information harbor" in quotes
    assert ask(real_store, f"?edge cakg:edgeSource country:chn ; cakg:edgeTarget org:asean ; cakg:derivedFrom {harbor} .")


@pytest.mark.parametrize("merged, kept, sections", [
    ("mechanism:china-asean-telecom-ministerial-consultations", "mechanism:china-asean-telecom-ministers-meeting",
     {"I.(III)", "II.(I).3", "II.(V).3", "III.(VI)"}),
    ("policy:asean-ict2020-strategy", "policy:asean-ict-masterplan-2020", {"II.(I).2", "III.(I)"}),
])
def test_near_duplicates_are_one_node_with_all_their_quotes(real_store, merged, kept, sections):
    assert not ask(real_store, f"{{ {merged} ?p ?o }} UNION {{ ?s ?p {merged} }}")
    assert {e["number"] for e in evidence_of(real_store, kept)} == sections
