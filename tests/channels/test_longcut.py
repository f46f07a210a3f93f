"""Where a long image is cut (generator/channels/longcut.py) and how its parts are written:
plain functions, no browser."""

from __future__ import annotations

from pathlib import Path

from generator.channels import longcut
from generator.channels.longimage import write_parts


def test_a_cut_is_made_halfway_across_the_gap_between_atoms() -> None:
    atoms = [(10, 100), (120, 300), (300, 480), (500, 900)]
    assert longcut.gaps(atoms, 950) == [(100, 120), (300, 300), (480, 500)]
    assert longcut.plan(atoms, 950, 600) == [0, 490, 950]
    assert longcut.plan(atoms, 950, 1000) == [0, 950]


def test_an_atom_taller_than_a_part_is_cut_inside_at_the_limit() -> None:
    atoms = [(0, 100), (110, 2600), (2610, 2700)]
    assert longcut.plan(atoms, 2710, 1000) == [0, 110, 1110, 2110, 2710]


def test_overlapping_atoms_leave_no_gap_between_them() -> None:
    assert longcut.gaps([(0, 100), (90, 200), (150, 300)], 400) == []


def test_a_cut_goes_lower_in_a_gap_when_halfway_would_make_a_part_too_tall() -> None:
    atoms = [(0, 300), (400, 1360), (1420, 2380), (2440, 2900)]
    # Halfway across the first gap (350), the second part could not hold its block (960 px
    # from 400): the cut stays low in the gap.
    assert longcut.plan(atoms, 2950, 1000) == [0, 400, 1400, 2400, 2950]
    # With room to spare, each cut moves to the middle of its gap.
    assert longcut.plan(atoms, 2950, 1100) == [0, 350, 1390, 2410, 2950]


def test_parts_replace_an_earlier_render_whole(tmp_path: Path) -> None:
    """The destination is the long image's own folder: swapped in whole, nothing of an
    earlier, longer render left beside the new parts."""
    dest = tmp_path / "out"
    dest.mkdir()
    for name in ("01.jpg", "02.jpg", "03.jpg", "notes.txt", "cover.jpg"):
        (dest / name).write_bytes(b"old")
    written = write_parts([b"new1", b"new2"], dest)
    assert [p.name for p in written] == ["01.jpg", "02.jpg"]
    assert sorted(p.name for p in dest.iterdir()) == ["01.jpg", "02.jpg"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left
    assert (dest / "02.jpg").read_bytes() == b"new2"
