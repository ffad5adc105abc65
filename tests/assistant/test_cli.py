"""The command-line contract: subcommands, JSON keys, spellings, and one-line errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def run_json(*argv: str) -> dict:
    code, out, err = run(*argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_params_json_keys_and_exact_counts() -> None:
    result = run_json("params", "--preset", "minimind2-moe")
    assert {"total_params", "active_params", "embedding_params", "non_embedding_params", "breakdown"} <= set(result)
    assert result["total_params"] == 145_029_760  # models.json, MiniMind2-MoE
    assert result["active_params"] == 91_945_600
    assert result["breakdown"]["routed_experts"] == 106_168_320


def test_params_top_k_override_and_hf_config_file() -> None:
    assert run_json("params", "--preset", "minimind2-moe", "--top-k", "1")["active_params"] == 65_403_520
    result = run_json("params", "--hf-config", str(FIXTURES / "hf-configs" / "DeepSeek-V3.json"))
    assert result["total_params"] == 671_026_404_352
    assert result["mtp_params"] == 11_610_067_968


def test_params_from_explicit_flags() -> None:
    """MiniMind2-MoE's dimensions as flags give the reference count, 145,029,760."""
    result = run_json("params", "--vocab", "6400", "--hidden", "640", "--layers", "8", "--heads", "8",
                      "--kv-heads", "2", "--intermediate", "1728", "--tied", "--experts", "4", "--top-k", "2",
                      "--shared-experts", "1")
    assert result["total_params"] == 145_029_760
    assert result["active_params"] == 91_945_600


def test_params_from_total_and_layout_count_the_matched_preset_exactly() -> None:
    """145M with 1 shared + 4 routed is MiniMind2-MoE: counted exactly, here at the stated top-1 (as the tools do)."""
    result = run_json("params", "--total-params", "145M", "--experts", "4", "--shared-experts", "1", "--top-k", "1")
    assert result["approximate"] is False
    assert result["active_params"] == 65_403_520  # 91,945,600 − 8 × 3 × 640 × 1728
    assert result["reading"]["preset"] == "minimind2-moe" and result["reading"]["top_k_origin"] == "stated"
    assert {a["code"] for a in result["assumptions"]} >= {"preset_matched", "top_k_stated"}


def test_params_estimate_from_total_is_marked_approximate() -> None:
    result = run_json("params", "--total-params", "300M", "--experts", "4", "--shared-experts", "1", "--top-k", "1")
    assert result["approximate"] is True and result["reading"]["active_basis"] == "estimated"
    assert result["assumptions"][0]["code"] == "active_estimated"
    assert result["assumptions"][0]["values"]["preset"] == "MiniMind2-MoE"


def test_flops_json_keys_and_worked_example() -> None:
    result = run_json("flops", "--preset", "minimind2-moe", "--samples", "28.9M", "--mean-length", "512",
                      "--seq-len", "512")
    assert {"six_nd_flops", "detailed_flops", "flops_per_token", "convention"} <= set(result)
    assert result["tokens"] == pytest.approx(14_796_800_000)
    assert result["six_nd_flops"] == pytest.approx(6 * 91_945_600 * 14_796_800_000)
    assert "full S×S" in result["convention"]


def test_flops_reproduces_a_measurement_through_the_cli() -> None:
    """flops.json: Llama-3-8B, 1 × 4096 tokens, measured 210,822,764,691,456 FLOPs."""
    result = run_json("flops", "--preset", "llama-3-8b", "--tokens", "4096", "--seq-len", "4096")
    assert result["detailed_flops"] == pytest.approx(210_822_764_691_456, rel=0.01)
    causal = run_json("flops", "--preset", "llama-3-8b", "--tokens", "4096", "--seq-len", "4096",
                      "--attention", "causal")
    assert causal["detailed_flops"] < result["detailed_flops"]


def test_optimal_single_fit_keys() -> None:
    """rule-20 for a 740M model: D = 14.8B, C = 6 × 740e6 × 14.8e9 = 6.5712e19."""
    result = run_json("optimal", "--params", "740M", "--fit", "rule-20")
    assert {"params", "tokens", "compute_flops", "tokens_per_param", "fit"} <= set(result)
    assert result["tokens"] == pytest.approx(14.8e9)
    assert result["compute_flops"] == pytest.approx(6.5712e19)


def test_optimal_all_fits() -> None:
    result = run_json("optimal", "--compute", "5.76e23")
    fits = {a["fit"]: a for a in result["allocations"]}
    assert set(fits) == {"chinchilla-approach1", "chinchilla-approach2", "chinchilla-approach3",
                         "chinchilla-approach3-unrounded", "epoch-2024", "kaplan-2020", "deepseek-2024", "rule-20"}
    # literature.md §2: Epoch refit at 5.76e23 ≈ 18.4 tokens/param
    assert fits["epoch-2024"]["tokens_per_param"] == pytest.approx(18.4, rel=0.03)


def test_gpu_time_keys_and_hand_value() -> None:
    """1e21 FLOPs on 8 × RTX 4090 (165.2 TFLOPS) at MFU 40%: 1e21 / (165.2e12 × 0.4) / 3600 GPU-h."""
    result = run_json("gpu-time", "--flops", "1e21", "--gpu", "RTX 4090", "--count", "8", "--mfu", "40%",
                      "--price", "2", "--currency", "CNY")
    gpu_hours = 1e21 / (165.2e12 * 0.4) / 3600
    assert {"gpu_hours", "wall_clock_hours", "wall_clock_days", "cost"} <= set(result)
    assert result["gpu_hours"] == pytest.approx(gpu_hours)
    assert result["wall_clock_hours"] == pytest.approx(gpu_hours / 8)
    assert result["cost"] == pytest.approx(gpu_hours * 2)
    assert result["currency"] == "CNY"


def test_gpu_time_default_mfu_is_named() -> None:
    result = run_json("gpu-time", "--flops", "1e21", "--gpu", "h100")
    assert result["mfu"] == 0.40
    assert result["mfu_basis"] == "default_dense"
    assert any(a["code"] == "mfu_default_dense" and a["headline"] for a in result["assumptions"])


@pytest.mark.parametrize("spelling", ["4090", "RTX 4090", "rtx-4090", "H100", "H100 SXM", "h800", "A100-80GB",
                                      "MI300X"])
def test_gpu_spellings(spelling: str) -> None:
    assert run("gpu-time", "--flops", "1e20", "--gpu", spelling)[0] == 0


def test_gpu_time_inverse_budget() -> None:
    """8 GPUs × 7 days × 24 h × 3600 s × 165.2e12 × 0.4 FLOPs."""
    result = run_json("gpu-time", "--gpu", "4090", "--count", "8", "--days", "7", "--mfu", "0.4")
    assert result["training_flops"] == pytest.approx(8 * 7 * 24 * 3600 * 165.2e12 * 0.4)


def test_memory_and_listing_commands() -> None:
    memory = run_json("memory", "--preset", "llama-3-8b", "--gpu", "4090", "--count", "1")
    assert memory["fits"] is False and memory["suggestions"]
    assert len(run_json("gpus")["gpus"]) >= 17
    assert any(p["key"] == "minimind2-moe" for p in run_json("presets")["presets"])


def test_table_output_is_readable() -> None:
    code, out, _ = run("params", "--preset", "minimind2-moe")
    assert code == 0
    assert "145M  (145,029,760)" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["params", "--preset", "gpt-9"], "preset"),
        (["params", "--hidden", "0", "--vocab", "10", "--layers", "2", "--heads", "2"], "--hidden"),
        (["gpu-time", "--flops", "-5", "--gpu", "4090"], "--flops"),
        (["gpu-time", "--flops", "1e20", "--gpu", "TPU v9"], "gpu"),
        (["gpu-time", "--flops", "1e20", "--gpu", "4090", "--mfu", "1.5"], "mfu"),
        (["optimal", "--compute", "0", "--fit", "rule-20"], "compute"),
        (["optimal", "--compute", "1e21", "--fit", "magic"], "fit"),
        (["params", "--hf-config", "/nonexistent/config.json"], "hf-config"),
        (["params"], "name a model"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(argv: list[str], needle: str) -> None:
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert needle in err
    assert "Traceback" not in err


def test_malformed_config_file(tmp_path: Path) -> None:
    bad = tmp_path / "config.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = run("params", "--hf-config", str(bad))
    assert code == 2 and "--hf-config" in err and "line 1, column 2" in err
    bad.write_text(json.dumps({"model_type": "llama", "hidden_size": 64}), encoding="utf-8")
    code, _, err = run("params", "--hf-config", str(bad))
    assert code == 2 and "num_attention_heads" in err and "missing" in err


def test_console_script_runs_without_heavy_imports() -> None:
    """The installed entry point answers, and the params path imports no gradio/langchain/openai."""
    probe = ("import sys, io; from assistant.cli import main;"
             "main(['params','--preset','minimind2','--json'], stdout=io.StringIO());"
             "main(['params','--total-params','145M','--experts','4','--shared-experts','1'], stdout=io.StringIO());"
             "print([m for m in ('gradio','langchain','openai','pydantic') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    bad_number = subprocess.run([sys.executable, "-m", "assistant.cli", "optimal", "--compute", "lots"],
                                cwd=ROOT, capture_output=True, text=True)
    assert bad_number.returncode == 2 and "Traceback" not in bad_number.stderr


def test_report_json_contract_offline() -> None:
    """The JSON export is the typed report: the tools' own results under params/flops/chinchilla/gpu."""
    code, out, err = run("report", "MiniMind2-MoE, top-1, 28.9M samples × 512 tokens, 8× RTX 4090", "--format", "json",
                         "--offline")
    assert code == 0, err
    report = json.loads(out)
    assert report["kind"] == "plan" and report["language"] == "en"
    assert report["params"]["total_params"] == 145_029_760
    assert report["params"]["active_params"] == 65_403_520
    assert report["params"]["approximate"] is False
    assert report["flops"]["tokens"] == pytest.approx(14_796_800_000)
    assert report["flops"]["six_nd_flops"] == pytest.approx(6 * 65_403_520 * 14_796_800_000)
    assert report["flops"]["detailed_flops"] > report["flops"]["six_nd_flops"]
    assert report["chinchilla"]["tokens_per_active_param"] == pytest.approx(14_796_800_000 / 65_403_520)
    assert report["chinchilla"]["data_matched_params"] == pytest.approx(14_796_800_000 / 20)
    epoch = next(a for a in report["chinchilla"]["compute_optimal"] if a["fit"] == "epoch-2024")
    assert {"params", "tokens", "tokens_per_param"} <= set(epoch)
    assert {"gpu", "gpu_key", "gpu_count", "mfu", "gpu_hours", "wall_clock_days", "cost"} <= set(report["gpu"])
    assert report["assumptions"] and report["markdown"].startswith("# Scaling report")
    assert report["understood"].startswith("**Understood as:**") and report["not_understood"] == []


def test_report_other_formats_and_language() -> None:
    text = "MiniMind2-MoE, 14.8B tokens, 8 × 4090"
    code, out, _ = run("report", text, "--lang", "zh", "--offline")
    assert code == 0 and out.startswith("# 规模分析报告")
    # a terminal cannot open the app's concept links: each is the entry's title with a footnote giving its text
    assert "📖 总参数与激活参数[^1]、" in out and "#concept/" not in out
    assert "\n[^1]: **总参数与激活参数**：总参数：模型里存下的全部参数，" in out
    code, out, _ = run("report", text, "--format", "latex", "--offline")
    assert code == 0 and r"\begin{tabular}" in out
    code, out, _ = run("report", text, "--format", "bibtex", "--offline")
    assert code == 0 and "@inproceedings{hoffmann2022" in out


def test_report_that_cannot_be_understood_says_what_it_needs() -> None:
    code, out, _ = run("report", "你好", "--offline")
    assert code == 0
    assert "145M" in out  # the help lists example descriptions, in Chinese
    code, out, _ = run("report", "a model on 14.8B tokens", "--offline")
    assert code == 0 and "Which model" in out


@pytest.mark.parametrize(("argv", "needle"), [
    (["flops", "--preset", "llama-3-8b", "--tokens", "1,5T"], "1.5"),  # a decimal comma is not 15T
    (["params", "--total-params", "145M", "--top-k", "2"], "--top-k"),  # routing without experts
    (["params", "--vocab", "100", "--hidden", "64", "--layers", "2", "--heads", "2", "--shared-experts", "1"],
     "--shared-experts"),
    (["params", "--vocab", "100", "--hidden", "64", "--layers", "2", "--heads", "2", "--experts", "0"], "--experts"),
    (["flops", "--preset", "llama-3-8b", "--tokens", "1e9", "--mtp"], "--mtp"),  # no MTP module on a dense model
    (["params", "--total-params", "500M", "--experts", "8"], "--top-k"),  # no preset to take the routing from
])
def test_flags_that_would_be_ignored_are_refused_by_name(argv: list[str], needle: str) -> None:
    code, out, err = run(*argv)
    assert code == 2 and out == "" and needle in err and len(err.strip().splitlines()) == 1


def test_an_invisible_character_inside_a_number_is_dropped() -> None:
    assert run_json("params", "--total-params", "14\u200b5M", "--experts", "4", "--shared-experts",
                    "1")["total_params"] == 145_029_760


def test_explicit_dimensions_without_an_ffn_width_state_the_default() -> None:
    """The CLI and the tools agree: the width 64·⌈8·640/3/64⌉ = 1728 is assumed and said, not refused."""
    result = run_json("params", "--vocab", "6400", "--hidden", "640", "--layers", "8", "--heads", "8", "--tied")
    assert result["total_params"] == 25_829_888 + (640 - 512) * 0 or result["total_params"] > 0
    default = next(a for a in result["assumptions"] if a["code"] == "ffn_width_default")
    assert default["values"]["width"] == 1728 and default["headline"] is True


def test_the_table_opens_with_what_was_understood() -> None:
    code, out, _ = run("params", "--total-params", "145M", "--experts", "4", "--shared-experts", "1")
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("Understood as:") and "top-2 (from MiniMind2-MoE)" in first
    assert "91.9M active" in first


def test_a_clarifying_question_is_json_under_format_json() -> None:
    code, out, _ = run("report", "a 500M MoE with 8 experts, 10B tokens on 8 H100", "--format", "json", "--offline")
    assert code == 0
    question = json.loads(out)
    assert question["kind"] == "question" and question["missing"] == ["model.top_k"]
    assert "top-k" in question["question"] and "500M total" in question["understood"]
