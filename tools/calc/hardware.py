"""GPU catalogue: dense peak throughput, memory, bandwidth and board power, each with its source.

Every figure comes from ``shared/reference/literature.md`` §8 ("GPU peak dense throughput (no
sparsity)"), with that sheet's status marks: [P] checked against a primary copy, [S] against
secondary copies, [D] derived, [U] unconfirmed. [U] figures are repeated in each GPU's ``notes``.

``bf16_tflops`` is the dense BF16/FP16 tensor-core peak **with FP32 accumulate**: the MFU
denominator for mixed-precision training (PaLM App. B defines MFU against the peak matmul rate;
literature §7c). GeForce cards run that at half the FP16-accumulate rate (literature §8, "GeForce
accumulate rule"): RTX 4090 = 165.2, not 330.3. Data-centre and workstation parts do not halve.

Not catalogued: Ascend 910B. Its peak FP16/BF16, HBM size and bandwidth are all [U] (literature
"Numbers not confirmed" item 2; only a *measured* 328 TFLOPS BF16 GEMM is on record), so an entry
would be a guess presented as a spec.

Memory is in vendor GB. :attr:`Gpu.memory_bytes` reads it as decimal (1e9 bytes, as the ZeRO paper
does); if a vendor figure is binary, the real capacity is up to 7.4% larger, so fit checks err safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tools.calc.errors import CalcInputError, require_number

_SHEET = "literature.md §8"
_POWER_U = "board power {w:g} W is [U]: vendor datasheet figure typed from memory, not confirmed (lit. §8)"


@dataclass(frozen=True, kw_only=True)
class Gpu:
    """One accelerator (one package as sold; MI250X counts as one, although software sees 2 GCDs).

    Attributes:
        key: catalogue key, e.g. ``"rtx-4090"``.
        bf16_tflops: dense BF16/FP16 tensor peak with FP32 accumulate (MFU denominator).
        fp16_acc_tflops: dense FP16 tensor peak with FP16 accumulate (equal to ``bf16_tflops``
            except on GeForce cards, where it is twice as high).
        fp8_tflops: dense FP8 tensor peak with FP32 accumulate, ``None`` where the chip has none.
        tf32_tflops: dense TF32 tensor peak, ``None`` where unknown or absent.
        memory_gb: on-board memory, vendor GB.
        bandwidth_tb_s: memory bandwidth, TB/s.
        board_power_watts: TDP/TBP for energy estimates, ``None`` where the sheet has none.
        peak_status / board_power_status: status marks from literature.md ([P]/[S]/[D]/[U]).
    """

    key: str
    display_name: str
    vendor: str
    bf16_tflops: float
    fp16_acc_tflops: float
    fp8_tflops: float | None
    tf32_tflops: float | None
    memory_gb: float
    bandwidth_tb_s: float
    board_power_watts: float | None
    peak_status: str
    board_power_status: str
    source: str
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        require_number("bf16_tflops", self.bf16_tflops, maximum=1e5)
        require_number("fp16_acc_tflops", self.fp16_acc_tflops, maximum=1e5)
        for name in ("fp8_tflops", "tf32_tflops", "board_power_watts"):
            value = getattr(self, name)
            if value is not None:
                require_number(name, value, maximum=1e5)
        require_number("memory_gb", self.memory_gb, maximum=1e5)
        require_number("bandwidth_tb_s", self.bandwidth_tb_s, maximum=1e3)

    @property
    def peak_flops_per_s(self) -> float:
        """Dense BF16 (FP32-accumulate) peak in FLOP/s: the MFU denominator."""
        return self.bf16_tflops * 1e12

    @property
    def memory_bytes(self) -> float:
        """Capacity read as decimal GB (1e9 bytes)."""
        return self.memory_gb * 1e9


def _power_notes(watts: float, status: str) -> tuple[str, ...]:
    return (_POWER_U.format(w=watts),) if status == "[U]" else ()


_CATALOGUE: tuple[Gpu, ...] = (
    Gpu(key="v100", display_name="NVIDIA V100 SXM2 32GB", vendor="NVIDIA",
        # Lightning _CUDA_FLOPS [P]
        bf16_tflops=125.0, fp16_acc_tflops=125.0, fp8_tflops=None, tf32_tflops=None,
        # datasheet via code tables [S]; power [U]
        memory_gb=32.0, bandwidth_tb_s=0.9, board_power_watts=300.0,
        peak_status="[P]", board_power_status="[U]",
        source=f"{_SHEET}: Lightning `_CUDA_FLOPS` [P]; V100 datasheet via code tables [S]",
        notes=("no BF16 on V100: bf16_tflops is the FP16 tensor figure (train in FP16 with loss scaling)",
               "a 16GB V100 variant exists with the same compute; this entry is the 32GB part",
               *_power_notes(300, "[U]"))),
    Gpu(key="a100-40gb", display_name="NVIDIA A100 40GB SXM", vendor="NVIDIA",
        # Lightning; torchtitan [P]
        bf16_tflops=312.0, fp16_acc_tflops=312.0, fp8_tflops=None, tf32_tflops=156.0,
        # astroC86/gpu-datasheet [S]; power [U]
        memory_gb=40.0, bandwidth_tb_s=1.555, board_power_watts=400.0,
        peak_status="[P]", board_power_status="[U]",
        source=f"{_SHEET}: Lightning; torchtitan [P]; astroC86/gpu-datasheet [S]",
        notes=_power_notes(400, "[U]")),
    Gpu(key="a100-80gb", display_name="NVIDIA A100 80GB SXM", vendor="NVIDIA",
        # Lightning; torchtitan [P]
        bf16_tflops=312.0, fp16_acc_tflops=312.0, fp8_tflops=None, tf32_tflops=156.0,
        # LLM-Prof [S]; Llama 2 card 350-400 W [P]
        memory_gb=80.0, bandwidth_tb_s=2.039, board_power_watts=400.0,
        peak_status="[P]", board_power_status="[P]",
        source=f"{_SHEET}: Lightning; torchtitan [P]; LLM-Prof hardware_spec.md [S]",
        notes=("board power 400 W: top of the 350-400 W range in the Llama 2 model card [P]",
               "PCIe variant: 1.935 TB/s bandwidth, 250-300 W [U]")),
    Gpu(key="a800", display_name="NVIDIA A800 80GB SXM", vendor="NVIDIA",
        # LLM-Prof [S]; TF32 [U]
        bf16_tflops=312.0, fp16_acc_tflops=312.0, fp8_tflops=None, tf32_tflops=156.0,
        memory_gb=80.0, bandwidth_tb_s=2.039, board_power_watts=400.0,  # LLM-Prof [S]; power [U]
        peak_status="[S]", board_power_status="[U]",
        source=f"{_SHEET}: LLM-Prof hardware_spec.md [S] (secondary tables only)",
        notes=("TF32 156 TFLOPS is [U]", "NVLink 400 GB/s (A100: 600 GB/s)", *_power_notes(400, "[U]"))),
    Gpu(key="h100-sxm", display_name="NVIDIA H100 SXM 80GB", vendor="NVIDIA",
        # whitepaper T1/T3 [S]
        bf16_tflops=989.4, fp16_acc_tflops=989.4, fp8_tflops=1978.9, tf32_tflops=494.7,
        memory_gb=80.0, bandwidth_tb_s=3.35, board_power_watts=700.0,  # Llama 3 model card 700 W [P]
        peak_status="[P]", board_power_status="[P]",
        source=f"{_SHEET}: H100 whitepaper Tables 1 and 3 [S]; torchtitan 989e12 [P]; llmq sol.cpp [S]",
        notes=("1978.9 TFLOPS BF16 is the sparse figure; the dense peak is 989.4",
               "board power 700 W: Llama 3 model card [P]")),
    Gpu(key="h100-pcie", display_name="NVIDIA H100 PCIe 80GB", vendor="NVIDIA",
        bf16_tflops=756.0, fp16_acc_tflops=756.0, fp8_tflops=1513.0, tf32_tflops=378.0,  # whitepaper [S]
        memory_gb=80.0, bandwidth_tb_s=2.0, board_power_watts=350.0,  # Lightning (newer) [S]; power [U]
        peak_status="[S]", board_power_status="[U]",
        source=f"{_SHEET}: H100 whitepaper [S]; Lightning (newer) [S]",
        notes=_power_notes(350, "[U]")),
    Gpu(key="h800", display_name="NVIDIA H800 SXM 80GB", vendor="NVIDIA",
        # LLM-Prof [S]; TF32 [D]
        bf16_tflops=989.0, fp16_acc_tflops=989.0, fp8_tflops=1979.0, tf32_tflops=494.7,
        memory_gb=80.0, bandwidth_tb_s=3.35, board_power_watts=700.0,  # LLM-Prof [S]; power [U]
        peak_status="[S]", board_power_status="[U]",
        source=f"{_SHEET}: LLM-Prof; astroC86 (sparse listing) [S]",
        notes=("NVLink 400 GB/s (H100 SXM: 900 GB/s); compute as H100 SXM (sheet rounds to 989)",
               "TF32 494.7 is [D] from the H100 figure", *_power_notes(700, "[U]"))),
    Gpu(key="h20", display_name="NVIDIA H20 96GB", vendor="NVIDIA",
        # LLM-Prof [S]; TF32 [U]
        bf16_tflops=148.0, fp16_acc_tflops=148.0, fp8_tflops=296.0, tf32_tflops=74.0,
        memory_gb=96.0, bandwidth_tb_s=4.0, board_power_watts=400.0,  # LLM-Prof [S]; power [U]
        peak_status="[S]", board_power_status="[U]",
        source=f"{_SHEET}: LLM-Prof hardware_spec.md [S] (secondary tables only)",
        notes=("TF32 74 TFLOPS is [U]", "a later 141 GB variant has 4.8 TB/s",
               *_power_notes(400, "[U]"))),
    Gpu(key="h200", display_name="NVIDIA H200 SXM 141GB", vendor="NVIDIA",
        bf16_tflops=989.0, fp16_acc_tflops=989.0, fp8_tflops=1979.0, tf32_tflops=494.7,  # torchtitan [P]
        memory_gb=141.0, bandwidth_tb_s=4.8, board_power_watts=700.0,  # astroC86 [S]; power [U]
        peak_status="[P]", board_power_status="[U]",
        source=f"{_SHEET}: torchtitan [P]; astroC86 [S]",
        notes=("TF32 494.7 is [D] from the H100 figure", *_power_notes(700, "[U]"))),
    Gpu(key="b200", display_name="NVIDIA B200 (HGX/DGX)", vendor="NVIDIA",
        bf16_tflops=2250.0, fp16_acc_tflops=2250.0, fp8_tflops=4500.0, tf32_tflops=1100.0,  # torchtitan [P]
        memory_gb=180.0, bandwidth_tb_s=8.0, board_power_watts=1000.0,  # DGX B200 1,440 GB / 8 [S]; power [U]
        peak_status="[P]", board_power_status="[U]",
        source=f"{_SHEET}: torchtitan 2.25e15 [P]; astroC86 DGX B200 sheet [S]; llmq 2,200 [S]",
        notes=("memory 180 GB (DGX B200: 1,440 GB / 8); some sheets say 192 GB: ambiguous",
               "TF32 given as 1,100-1,125 TFLOPS; the lower value is used", *_power_notes(1000, "[U]"))),
    Gpu(key="gb200", display_name="NVIDIA GB200 (per GPU)", vendor="NVIDIA",
        bf16_tflops=2500.0, fp16_acc_tflops=2500.0, fp8_tflops=5000.0, tf32_tflops=None,  # NVL72 / 72 [S]
        memory_gb=186.0, bandwidth_tb_s=8.0, board_power_watts=None,  # 13.5 TB / 72 [D]; bandwidth [U]
        peak_status="[S]", board_power_status="[U]",
        source=f"{_SHEET}: astroC86 GB200 row [S]; torchtitan fork 'GB200 2.5e15' [S]",
        notes=("peak ~2,500 TFLOPS = NVL72 360 PF FP16 sparse / 72 / 2 [S]",
               "memory ~186 GB is [D] (13.5 TB / 72)", "bandwidth 8.0 TB/s is [U]",
               "no board power on the sheet: energy cannot be estimated")),
    Gpu(key="rtx-3090", display_name="NVIDIA GeForce RTX 3090", vendor="NVIDIA",
        # GA102 whitepaper via llmq [S]
        bf16_tflops=71.0, fp16_acc_tflops=142.0, fp8_tflops=None, tf32_tflops=35.6,
        memory_gb=24.0, bandwidth_tb_s=0.936, board_power_watts=350.0,  # power [U]
        peak_status="[S]", board_power_status="[U]",
        source=f"{_SHEET}: GA102 whitepaper values in llmq sol.cpp [S]",
        notes=("GeForce half rate: 71 TFLOPS with FP32 accumulate (142 with FP16 accumulate)",
               *_power_notes(350, "[U]"))),
    Gpu(key="rtx-4090", display_name="NVIDIA GeForce RTX 4090", vendor="NVIDIA",
        # Ada whitepaper via llmq [S]
        bf16_tflops=165.2, fp16_acc_tflops=330.3, fp8_tflops=330.3, tf32_tflops=82.6,
        memory_gb=24.0, bandwidth_tb_s=1.008, board_power_watts=450.0,  # power [U]
        peak_status="[S]", board_power_status="[U]",
        source=f"{_SHEET}: Ada whitepaper values in llmq sol.cpp [S]; RTX Blackwell whitepaper note [S]",
        notes=("GeForce half rate: 165.2 TFLOPS with FP32 accumulate (330.3 with FP16 accumulate)",
               "FP8 330.3 with FP32 accumulate, 660.6 with FP16 accumulate", *_power_notes(450, "[U]"))),
    Gpu(key="rtx-5090", display_name="NVIDIA GeForce RTX 5090", vendor="NVIDIA",
        # RTX Blackwell App. A [S]
        bf16_tflops=209.5, fp16_acc_tflops=419.0, fp8_tflops=419.0, tf32_tflops=104.8,
        memory_gb=32.0, bandwidth_tb_s=1.792, board_power_watts=575.0,  # power [U]
        peak_status="[S]", board_power_status="[U]",
        source=f"{_SHEET}: RTX Blackwell whitepaper App. A; llmq [S]",
        notes=("GeForce half rate: 209.5 TFLOPS with FP32 accumulate (419 with FP16 accumulate)",
               "FP8 419 with FP32 accumulate, 838 with FP16 accumulate (FP4 1,676)",
               *_power_notes(575, "[U]"))),
    Gpu(key="l40s", display_name="NVIDIA L40S", vendor="NVIDIA",
        # torchtitan 362e12 [P]
        bf16_tflops=362.0, fp16_acc_tflops=362.0, fp8_tflops=733.0, tf32_tflops=183.0,
        memory_gb=48.0, bandwidth_tb_s=0.864, board_power_watts=350.0,  # tables [S]; power [U]
        peak_status="[P]", board_power_status="[U]",
        source=f"{_SHEET}: torchtitan 362e12 [P]; Lightning 362.05 [S]; tables [S]",
        notes=_power_notes(350, "[U]")),
    Gpu(key="rtx-a6000", display_name="NVIDIA RTX A6000 (Ampere)", vendor="NVIDIA",
        # GA102 whitepaper v2 [S]
        bf16_tflops=154.8, fp16_acc_tflops=154.8, fp8_tflops=None, tf32_tflops=77.4,
        memory_gb=48.0, bandwidth_tb_s=0.768, board_power_watts=300.0,  # power [U]
        peak_status="[S]", board_power_status="[U]",
        source=f"{_SHEET}: GA102 whitepaper v2 values in llmq [S]",
        notes=("workstation part: FP32-accumulate rate is not halved", *_power_notes(300, "[U]"))),
    Gpu(key="mi250x", display_name="AMD Instinct MI250X", vendor="AMD",
        # torchtitan per GCD x2 [P]
        bf16_tflops=383.0, fp16_acc_tflops=383.0, fp8_tflops=None, tf32_tflops=None,
        memory_gb=128.0, bandwidth_tb_s=3.277, board_power_watts=560.0,  # code tables [S]; power [U]
        peak_status="[P]", board_power_status="[U]",
        source=f"{_SHEET}: torchtitan (191.5 per GCD) [P]; code tables [S]",
        notes=("one package = 2 GCDs (191.5 TFLOPS and 64 GB each); count packages, not GCDs",
               "bandwidth from secondary tables only [S]", *_power_notes(560, "[U]"))),
    Gpu(key="mi300x", display_name="AMD Instinct MI300X", vendor="AMD",
        bf16_tflops=1307.4, fp16_acc_tflops=1307.4, fp8_tflops=2614.9, tf32_tflops=653.7,  # code tables [S]
        memory_gb=192.0, bandwidth_tb_s=5.3, board_power_watts=750.0,  # torchtitan 1300e12 [P]; power [U]
        peak_status="[S]", board_power_status="[U]",
        source=f"{_SHEET}: torchtitan 1300e12 [P]; code tables 1,307.4 [S]",
        notes=("TF32 653.7 TFLOPS is [U]", *_power_notes(750, "[U]"))),
)

_BY_KEY: dict[str, Gpu] = {gpu.key: gpu for gpu in _CATALOGUE}

# Vendor and product-line words dropped from the front of a name before lookup.
_PREFIXES = ("nvidia", "amd", "geforce", "instinct", "tesla", "radeon", "rtx")

# Normalised spelling -> catalogue key. Keys' own normalised forms are added below.
_ALIASES: dict[str, str] = {
    "v100": "v100", "v100sxm2": "v100", "v10032gb": "v100", "v10032g": "v100", "v100sxm232gb": "v100",
    "a100": "a100-80gb", "a10080gb": "a100-80gb", "a10080g": "a100-80gb", "a100sxm": "a100-80gb",
    "a100sxm4": "a100-80gb", "a100sxm80gb": "a100-80gb", "a100sxm480gb": "a100-80gb",
    "a10040gb": "a100-40gb", "a10040g": "a100-40gb", "a100sxm40gb": "a100-40gb", "a100sxm440gb": "a100-40gb",
    "a800": "a800", "a80080gb": "a800", "a800sxm": "a800",
    "h100": "h100-sxm", "h100sxm": "h100-sxm", "h100sxm5": "h100-sxm", "h10080gb": "h100-sxm",
    "h100sxm80gb": "h100-sxm", "h100pcie": "h100-pcie", "h100pcie80gb": "h100-pcie",
    "h800": "h800", "h800sxm": "h800", "h20": "h20", "h200": "h200", "h200sxm": "h200",
    "b200": "b200", "gb200": "gb200",
    "3090": "rtx-3090", "4090": "rtx-4090", "5090": "rtx-5090",
    "l40s": "l40s", "a6000": "rtx-a6000", "mi250x": "mi250x", "mi300x": "mi300x",
}

# Spellings that pick one of several parts: the choice is added to the returned Gpu's notes.
_ALIAS_NOTES: dict[str, str] = {
    "a100": "'A100' read as A100 80GB SXM; say 'A100 40GB' for the 40 GB part",
    "h100": "'H100' read as H100 SXM; say 'H100 PCIe' for the PCIe card",
    "v100": "'V100' read as V100 SXM2 32GB (a 16GB variant exists)",
}


def _normalise(name: str) -> str:
    text = re.sub(r"[\s\-_./]+", "", name.lower())
    stripped = True
    while stripped:
        stripped = False
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix):]
                stripped = True
    return text


for _gpu in _CATALOGUE:
    _ALIASES.setdefault(_normalise(_gpu.key), _gpu.key)


def list_gpus() -> tuple[Gpu, ...]:
    """Every catalogued GPU, in catalogue order."""
    return _CATALOGUE


def find_gpu(name: str) -> Gpu:
    """Look a GPU up by a common spelling, case-insensitively (``"4090"``, ``"RTX-4090"``, ``"h100 sxm5"``).

    Spaces, dashes, underscores, dots and slashes are ignored, and vendor words ("NVIDIA",
    "GeForce", "RTX", "AMD", "Instinct") are dropped from the front. Ambiguous short names pick one
    part (``"A100"`` -> A100 80GB SXM, ``"H100"`` -> H100 SXM) and say so in the returned notes.
    Raises :class:`CalcInputError` (field ``"gpu"``) for an unknown name.
    """
    expected = "one of: " + ", ".join(gpu.key for gpu in _CATALOGUE)
    if not isinstance(name, str) or not name.strip():
        raise CalcInputError(field="gpu", value=name, expected=expected,
                             code="unknown_gpu", values={"choices": tuple(gpu.key for gpu in _CATALOGUE)})
    normal = _normalise(name)
    key = _ALIASES.get(normal)
    if key is None:
        raise CalcInputError(field="gpu", value=name, expected=expected,
                             why="Ascend 910B is not catalogued: its specs are unconfirmed"
                             if "910" in normal else "",
                             code="unknown_gpu", values={"choices": tuple(gpu.key for gpu in _CATALOGUE)})
    gpu = _BY_KEY[key]
    note = _ALIAS_NOTES.get(normal)
    return replace(gpu, notes=(*gpu.notes, note)) if note else gpu
