"""Properties of the text normalisation (knowledge/normalize.py) on generated text.

What must hold for retrieval: an accented, a folded and an upper-case question meet the same
index terms; folding twice changes nothing; no text a citizen can send makes it raise.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.normalize import STOPWORDS, accented_syllables, fold, has_vietnamese_marks, index_terms, name_key, nfc, syllables

PROPERTY = settings(max_examples=200, deadline=None)
MAX_MESSAGE = 2000  # the chat's limit on one message

# The reference: every Vietnamese letter with a mark, by the ASCII letter it folds to (written out,
# not derived from unicodedata, which fold itself uses).
VI_LETTERS = {
    "a": "àáảãạăằắẳẵặâầấẩẫậ",
    "d": "đ",
    "e": "èéẻẽẹêềếểễệ",
    "i": "ìíỉĩị",
    "o": "òóỏõọôồốổỗộơờớởỡợ",
    "u": "ùúủũụưừứửữự",
    "y": "ỳýỷỹỵ",
}
VI_MARKED = "".join(VI_LETTERS.values())
VI_ALPHABET = "abcdeghiklmnopqrstuvxy" + VI_MARKED  # lower case; f, j, w, z appear in loanwords only
VI_ALPHABET += VI_ALPHABET.upper() + "fjwz0123456789"

# Any text: every category but surrogates (controls, format characters, combining marks, emoji ...).
any_text = st.text(max_size=MAX_MESSAGE)
vietnamese_word = st.text(alphabet=VI_ALPHABET, min_size=1, max_size=8)
vietnamese_text = st.lists(st.tuples(vietnamese_word, st.sampled_from([" ", "  ", ", ", ". ", "? ", "\n", " - "])), max_size=40).map(
    lambda pairs: "".join(word + sep for word, sep in pairs).strip()
)


def is_ascii_lower(text: str) -> bool:
    return text.isascii() and text == text.lower()


def test_the_reference_table_is_what_the_module_matches() -> None:
    assert len(set(VI_MARKED)) == len(VI_MARKED)  # no letter twice
    assert len(VI_MARKED) == 67 and all(has_vietnamese_marks(letter) for letter in VI_MARKED)


@PROPERTY
@given(any_text)
def test_normalisation_never_raises_and_returns_text(text: str) -> None:
    for result in (nfc(text), fold(text), name_key(text)):
        assert isinstance(result, str)
    for tokens in (syllables(text), accented_syllables(text), index_terms(text)):
        assert all(isinstance(token, str) and token for token in tokens)
    assert isinstance(has_vietnamese_marks(text), bool)


@PROPERTY
@given(any_text)
def test_nfc_is_idempotent_and_canonical(text: str) -> None:
    once = nfc(text)
    assert nfc(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert nfc(unicodedata.normalize("NFD", text)) == once  # composed or decomposed input, one form


@PROPERTY
@given(any_text)
def test_fold_is_idempotent_and_leaves_no_nonspacing_mark(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert not any(unicodedata.category(ch) == "Mn" for ch in folded)
    assert not has_vietnamese_marks(folded)
    assert "đ" not in folded and "Đ" not in folded


@PROPERTY
@given(any_text)
def test_fold_does_not_depend_on_how_the_text_is_composed(text: str) -> None:
    assert fold(unicodedata.normalize("NFD", text)) == fold(text) == fold(nfc(text))


@PROPERTY
@given(vietnamese_text)
def test_vietnamese_letters_fold_to_ascii_letters_one_for_one(text: str) -> None:
    folded = fold(text)
    assert is_ascii_lower(folded)
    assert len(folded) == len(nfc(text))
    for original, plain in zip(nfc(text).lower(), folded, strict=True):
        expected = next((base for base, marked in VI_LETTERS.items() if original in marked), original)
        assert plain == expected


@PROPERTY
@given(vietnamese_text)
def test_vietnamese_text_folds_the_same_in_any_case_and_composition(text: str) -> None:
    folded = fold(text)
    assert fold(text.upper()) == fold(text.lower()) == folded
    assert fold(unicodedata.normalize("NFD", text.upper())) == folded
    assert index_terms(text.upper()) == index_terms(folded) == index_terms(text)


@PROPERTY
@given(vietnamese_text)
def test_marks_are_detected_exactly_when_a_marked_letter_is_there(text: str) -> None:
    assert has_vietnamese_marks(text) == any(ch in VI_MARKED for ch in text.lower())


@PROPERTY
@given(any_text)
def test_syllables_are_alphanumeric_pieces_of_the_folded_text_in_order(text: str) -> None:
    folded = fold(text)
    position = 0
    for token in syllables(text):
        assert token and all(ch.isalnum() for ch in token)
        found = folded.find(token, position)
        assert found >= 0, token
        position = found + len(token)


@PROPERTY
@given(any_text)
def test_name_key_is_idempotent_and_keeps_the_syllables(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key
    assert syllables(key) == syllables(text)
    assert key == key.strip() and "  " not in key


@PROPERTY
@given(any_text)
def test_index_terms_are_the_unstopped_syllables_and_every_bigram(text: str) -> None:
    sylls = syllables(text)
    terms = index_terms(text)
    unigrams = [t for t in terms if "_" not in t]
    bigrams = [t for t in terms if "_" in t]
    assert unigrams == [s for s in sylls if s not in STOPWORDS]
    assert len(bigrams) == max(len(sylls) - 1, 0)
    assert [b.split("_") for b in bigrams] == [[a, b] for a, b in zip(sylls, sylls[1:], strict=False)]
    assert index_terms(fold(text)) == terms  # a folded question meets the accented one's terms


@PROPERTY
@given(vietnamese_text)
def test_accented_syllables_of_vietnamese_fold_one_for_one_to_the_syllables(text: str) -> None:
    accented = accented_syllables(text)
    assert [fold(token) for token in accented] == syllables(text)
    assert all(token == token.lower() and unicodedata.is_normalized("NFC", token) for token in accented)
