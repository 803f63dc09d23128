from hypothesis import given
from hypothesis import strategies as st

from assets import tags

sequences = st.integers(min_value=1, max_value=999_999)
years = st.integers(min_value=2000, max_value=2099)
prefixes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=4)


def issued(prefix, year, sequence):
    return tags.make_tag(prefix, year, sequence)


@given(prefixes, years, sequences)
def test_issued_tags_are_valid_and_alphanumeric(prefix, year, sequence):
    tag = issued(prefix, year, sequence)
    if tag is None:  # the generator skips numbers whose check symbol would be '*'
        return
    assert tags.is_valid(tag)
    assert tag.isalnum()


@given(prefixes, years, sequences, st.data())
def test_every_single_character_error_is_caught(prefix, year, sequence, data):
    tag = issued(prefix, year, sequence)
    if tag is None:
        return
    position = data.draw(st.integers(min_value=0, max_value=len(tag) - 1))
    replacement = data.draw(st.sampled_from([c for c in tags.ALPHABET if c != tag[position]]))
    typo = tag[:position] + replacement + tag[position + 1 :]
    assert not tags.is_valid(typo)


@given(prefixes, years, sequences, st.data())
def test_every_swap_of_neighbours_is_caught(prefix, year, sequence, data):
    tag = issued(prefix, year, sequence)
    if tag is None:
        return
    position = data.draw(st.integers(min_value=0, max_value=len(tag) - 2))
    if tag[position] == tag[position + 1]:
        return
    swapped = tag[:position] + tag[position + 1] + tag[position] + tag[position + 2 :]
    assert not tags.is_valid(swapped)


def test_exhaustive_errors_over_a_block_of_sequences():
    for sequence in range(1, 3000):
        tag = tags.make_tag("YK", 2026, sequence)
        if tag is None:
            continue
        for i in range(len(tag)):
            for c in tags.ALPHABET:
                if c != tag[i]:
                    assert not tags.is_valid(tag[:i] + c + tag[i + 1 :])
        for i in range(len(tag) - 1):
            if tag[i] != tag[i + 1]:
                assert not tags.is_valid(tag[:i] + tag[i + 1] + tag[i] + tag[i + 2 :])


def test_wrong_check_character_is_refused_with_a_message_saying_so():
    tag = tags.make_tag("YK", 2026, 5)
    wrong = tag[:-1] + ("0" if tag[-1] != "0" else "1")
    try:
        tags.validate_tag(wrong)
    except tags.TagError as error:
        assert "check character" in str(error.message) or "校验" in str(error.message)
    else:
        raise AssertionError("a wrong check character was accepted")


def test_wedge_input_is_normalised():
    tag = tags.make_tag("YK", 2026, 42)
    assert tags.validate_tag(f"  {tag.lower()}\r\n") == tag
