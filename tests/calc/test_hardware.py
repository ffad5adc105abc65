"""GPU catalogue against shared/reference/literature.md §8 (values typed from the sheet, not the code)."""

from __future__ import annotations

import pytest

from tools.calc.errors import CalcInputError
from tools.calc.hardware import Gpu, find_gpu, list_gpus

# (key, dense BF16 FP32-accumulate TFLOPS, memory GB) typed from literature.md §8.
SHEET_ROWS = [
    ("v100", 125.0, 32.0),  # FP16 125 (no BF16), 16/32 GB
    ("a100-40gb", 312.0, 40.0),
    ("a100-80gb", 312.0, 80.0),
    ("a800", 312.0, 80.0),
    ("h100-sxm", 989.4, 80.0),  # not the 1978.9 sparse figure
    ("h100-pcie", 756.0, 80.0),
    ("h800", 989.0, 80.0),
    ("h20", 148.0, 96.0),
    ("h200", 989.0, 141.0),
    ("b200", 2250.0, 180.0),
    ("gb200", 2500.0, 186.0),
    ("rtx-3090", 71.0, 24.0),  # GeForce half rate: not 142
    ("rtx-4090", 165.2, 24.0),  # GeForce half rate: not 330.3
    ("rtx-5090", 209.5, 32.0),  # GeForce half rate: not 419
    ("l40s", 362.0, 48.0),
    ("rtx-a6000", 154.8, 48.0),  # workstation: not halved
    ("mi250x", 383.0, 128.0),
    ("mi300x", 1307.4, 192.0),
]


@pytest.mark.parametrize(("key", "bf16", "memory"), SHEET_ROWS, ids=[row[0] for row in SHEET_ROWS])
def test_catalogue_matches_sheet(key: str, bf16: float, memory: float) -> None:
    gpu = find_gpu(key)
    assert gpu.key == key
    assert gpu.bf16_tflops == pytest.approx(bf16, abs=1e-9)
    assert gpu.memory_gb == pytest.approx(memory, abs=1e-9)
    assert gpu.peak_flops_per_s == pytest.approx(bf16 * 1e12, rel=1e-12)


def test_catalogue_covers_every_sheet_row_and_nothing_unconfirmed() -> None:
    assert {gpu.key for gpu in list_gpus()} == {row[0] for row in SHEET_ROWS}
    # Ascend 910B is deliberately absent: every figure on the sheet is [U].
    with pytest.raises(CalcInputError) as info:
        find_gpu("Ascend 910B")
    assert info.value.field == "gpu"


def test_geforce_half_rate_rule() -> None:
    # literature §8: 4090 165.2 vs 330.3; 3090 71 vs 142; 5090 209.5 vs 419.
    for name, fp32_acc, fp16_acc in (("4090", 165.2, 330.3), ("3090", 71.0, 142.0), ("5090", 209.5, 419.0)):
        gpu = find_gpu(name)
        assert gpu.bf16_tflops == pytest.approx(fp32_acc, abs=1e-9)
        assert gpu.fp16_acc_tflops == pytest.approx(fp16_acc, abs=1e-9)
    for name in ("A100", "H100", "A6000", "L40S"):
        gpu = find_gpu(name)
        assert gpu.fp16_acc_tflops == gpu.bf16_tflops


def test_other_sheet_figures() -> None:
    h100 = find_gpu("H100 SXM")
    assert (h100.fp8_tflops, h100.bandwidth_tb_s, h100.tf32_tflops) == (1978.9, 3.35, 494.7)
    assert find_gpu("MI300X").fp8_tflops == 2614.9
    assert find_gpu("A100-80GB").bandwidth_tb_s == 2.039
    assert find_gpu("3090").fp8_tflops is None
    assert find_gpu("4090").board_power_watts == 450.0
    assert find_gpu("H100").board_power_watts == 700.0  # Llama 3 model card [P]
    assert find_gpu("a100-80gb").memory_bytes == 80e9


def test_unconfirmed_values_are_flagged() -> None:
    assert any("no BF16" in note for note in find_gpu("V100").notes)
    assert any("16GB" in note for note in find_gpu("V100").notes)
    for key in ("rtx-4090", "mi300x", "b200", "h800"):
        gpu = find_gpu(key)
        assert gpu.board_power_status == "[U]"
        assert any("[U]" in note and "board power" in note for note in gpu.notes)
    assert find_gpu("h100-sxm").board_power_status == "[P]"
    gb200 = find_gpu("gb200")
    assert gb200.board_power_watts is None
    assert any("[D]" in note for note in gb200.notes)


ALIASES = [
    ("4090", "rtx-4090"), ("RTX 4090", "rtx-4090"), ("rtx-4090", "rtx-4090"), ("RTX4090", "rtx-4090"),
    ("GeForce RTX 4090", "rtx-4090"), ("NVIDIA GeForce RTX 4090", "rtx-4090"),
    ("H100", "h100-sxm"), ("H100 SXM", "h100-sxm"), ("h100-sxm5", "h100-sxm"), ("H100 PCIe", "h100-pcie"),
    ("h800", "h800"), ("A100-80GB", "a100-80gb"), ("A100 80G", "a100-80gb"), ("a100", "a100-80gb"),
    ("A100 40GB", "a100-40gb"), ("a800", "a800"),
    ("MI300X", "mi300x"), ("mi300x", "mi300x"), ("AMD Instinct MI300X", "mi300x"), ("MI250X", "mi250x"),
    ("3090", "rtx-3090"), ("RTX 3090", "rtx-3090"), ("5090", "rtx-5090"),
    ("V100", "v100"), ("Tesla V100", "v100"), ("L40S", "l40s"), ("A6000", "rtx-a6000"),
    ("RTX A6000", "rtx-a6000"), ("B200", "b200"), ("GB200", "gb200"), ("H20", "h20"), ("H200", "h200"),
    ("  h200_sxm ", "h200"),
]


@pytest.mark.parametrize(("name", "key"), ALIASES, ids=[a[0] for a in ALIASES])
def test_aliases(name: str, key: str) -> None:
    assert find_gpu(name).key == key


def test_ambiguous_alias_says_which_part() -> None:
    assert any("A100 80GB" in note for note in find_gpu("a100").notes)
    assert not any("read as" in note for note in find_gpu("A100 80GB").notes)
    assert any("H100 SXM" in note for note in find_gpu("H100").notes)


@pytest.mark.parametrize("name", ["", "   ", "RTX 9999", "TPU v4", None, 4090])
def test_unknown_gpu_names_the_field(name: object) -> None:
    with pytest.raises(CalcInputError) as info:
        find_gpu(name)  # type: ignore[arg-type]
    assert info.value.field == "gpu"
    assert "rtx-4090" in info.value.expected and "h100-sxm" in info.value.expected


def test_gpu_validates_its_fields() -> None:
    base = find_gpu("4090")
    with pytest.raises(CalcInputError) as info:
        Gpu(**{**base.__dict__, "bf16_tflops": -1.0})
    assert info.value.field == "bf16_tflops"
    with pytest.raises(CalcInputError) as info:
        Gpu(**{**base.__dict__, "memory_gb": 0})
    assert info.value.field == "memory_gb"
