"""Dense retrieval with the embedded all-MiniLM-L6-v2: paraphrased questions that share
few words with their passage are found first (where BM25 misses some), and the exact
(flat) and HNSW faiss indexes agree on a few hundred passages."""

from __future__ import annotations

import itertools

import pytest

from taskfit.retrieval import BM25Retriever, DenseRetriever
from taskfit.types import Passage

pytestmark = pytest.mark.integration

TOY = (
    Passage("heart", "The heart pumps blood through the arteries and veins of the body."),
    Passage("moon", "The Moon orbits Earth roughly once every 27 days."),
    Passage("bees", "Honeybees gather nectar from flowers and turn it into honey in the hive."),
    Passage("rust", "Iron corrodes when it is exposed to oxygen and moisture for a long time."),
    Passage("piano", "A piano produces sound when felt hammers strike tightened steel strings."),
    Passage("glacier", "Glaciers are slow rivers of ice that carve valleys as they move downhill."),
    Passage("vaccine", "Vaccines train the immune system to recognise a pathogen before illness."),
    Passage("bread", "Yeast ferments the sugars in dough, releasing gas that makes bread rise."),
    Passage("chess", "In chess, a player wins by trapping the opponent's king so it can't escape."),
    Passage("tides", "Ocean tides are caused mainly by the gravitational pull of the Moon."),
)
PARAPHRASES = {
    "Which organ circulates our blood?": "heart",
    "How do insects make a sweet food from plants?": "bees",
    "Why does a metal go orange and flaky when left outside in the rain?": "rust",
    "How does a keyboard instrument make its noise?": "piano",
    "What makes a loaf of dough get bigger?": "bread",
    "How do you defeat someone in checkmate?": "chess",
    "How do shots protect people from disease?": "vaccine",
    "What do huge masses of frozen water do to the landscape?": "glacier",
}


def test_dense_finds_paraphrased_questions_first(embedder) -> None:
    dense = DenseRetriever(TOY, embedder)
    assert dense.kind == "flat"
    hits = dense.search(list(PARAPHRASES), k=3)
    assert [TOY[h[0][0]].id for h in hits] == list(PARAPHRASES.values())
    # the questions share few words with their passages: keyword matching misses some
    sparse = BM25Retriever(TOY).search(list(PARAPHRASES), k=1)
    bm25_right = sum(
        bool(h) and TOY[h[0][0]].id == gold
        for h, gold in zip(sparse, PARAPHRASES.values(), strict=True)
    )
    assert bm25_right <= len(PARAPHRASES) - 3


PEOPLE = ("Ana", "Bruno", "Chen", "Dara", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas")
PEOPLE += ("Kofi", "Lena", "Mateo", "Nadia", "Omar")
JOBS = ("baker", "nurse", "pilot", "carpenter", "teacher", "chemist", "farmer", "lawyer")
JOBS += ("plumber", "painter")
CITIES = ("Lisbon", "Nairobi")


def test_flat_and_hnsw_agree_on_a_few_hundred_passages(embedder) -> None:
    passages = [
        Passage(f"{p}-{j}-{c}", f"{p} works as a {j} in {c}.")
        for p, j, c in itertools.product(PEOPLE, JOBS, CITIES)
    ]
    assert len(passages) == 300
    pairs = list(zip(PEOPLE, JOBS, strict=False)) + list(zip(PEOPLE[5:], JOBS, strict=True))
    queries = [f"Where does {p} do {j} work?" for p, j in pairs[:10]]
    queries += [f"Which {j} is called {p}?" for p, j in pairs[10:]]
    flat = DenseRetriever(passages, embedder, index="flat")
    encoded = embedder.encoded
    hnsw = DenseRetriever(passages, embedder, index="hnsw")
    assert embedder.encoded == encoded  # the passages' vectors are reused, not re-encoded
    assert hnsw.kind == "hnsw"
    top_flat = [passages[h[0][0]].id for h in flat.search(queries, k=1)]
    top_hnsw = [passages[h[0][0]].id for h in hnsw.search(queries, k=1)]
    assert top_hnsw == top_flat
    # and the top passage is the right person and job
    assert [t.rsplit("-", 1)[0] for t in top_flat] == [f"{p}-{j}" for p, j in pairs]
