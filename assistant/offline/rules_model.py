"""Reading the model: preset names, config-style keys, size names, sizes, the expert layout and dimensions.

Each function is one rule family over a :class:`~assistant.offline.reader.Reader`; they run in the order
:mod:`assistant.offline.parse` gives. Preset names come from the catalogue (``list_presets``), so a new
preset is recognised without a new rule.
"""

from __future__ import annotations

import re

from assistant.offline.reader import (
    CN_SMALL,
    EN_SMALL,
    IS,
    NUM,
    Reader,
    amount,
    dim,
    number,
    qty,
    whole,
)
from tools.calc.presets import find_preset, list_presets

_I = re.IGNORECASE


# --- presets ---------------------------------------------------------------------------------------------
def _preset_pattern() -> re.Pattern[str]:
    """Every preset key, display name and alias; spaces, dashes and underscores optional between parts."""
    spellings: dict[str, int] = {}
    for preset in list_presets():
        for name in (preset.key, preset.display_name, *preset.aliases):
            parts = [part for part in re.split(r"[\s_\-]+", name.lower()) if part]
            spellings[r"[\s_\-]*".join(map(re.escape, parts))] = len("".join(parts))
    names = "|".join(sorted(spellings, key=spellings.__getitem__, reverse=True))  # longest first
    unit_follows = r"\s*(?:[张块个卡层天周轮×*]|x\s*\d|(?:GPUs?|cards?|epochs?|layers?|days?|weeks?)\b)"
    # "Mixtral-8x22B" is another model; "OLMoE-style naming" names none
    other_model = r"(?:-\d|[\s_-]*\d+(?:\.\d+)?\s*[x×]\s*\d|[\s-](?:style|like|type)\b)"
    return re.compile(rf"(?<![A-Za-z0-9])(?:{names})(?![A-Za-z0-9]|\.\d)(?!{unit_follows})(?!{other_model})", _I)


_PRESET = _preset_pattern()
_MIXTURE_NAME = re.compile(rf"{NUM}\s*[x×]\s*\d+(?:\.\d+)?\s*B(?![A-Za-z0-9])", _I)  # "8x22B": not an expert count


_AFTER_PRESET = re.compile(rf"\s*[(（]\s*{qty('v', scaled=True)}\s*[)）]", _I)  # "MiniMind2-MoE (145M)"
# A model that is not a preset, named with its size: "Pythia-1.4B", "JetMoE-8B", "granite-3.0-3b-a800m".
_SIZED_NAME = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z]+(?P<ver>-\d+(?:\.\d+)?)?-(?P<t>\d+(?:\.\d+)?[BbMm])"
                         r"(?:-[Aa](?P<a>\d+(?:\.\d+)?[BbMm]))?(?![A-Za-z0-9.])")


def presets(r: Reader) -> None:
    for m in r.scan(_PRESET):
        r.put("preset", find_preset(m.group(0)).key, m)
        after, at = r.match_after(_AFTER_PRESET, m.end())
        if after:
            r.put("total_params", number(after["v"]), after, "v", offset=at)
    for m in r.scan(_MIXTURE_NAME):
        r.unknown_span(m)
    for m in r.scan(_SIZED_NAME):
        if m["ver"]:
            r.unknown.append((m.start("ver"), m["ver"].lstrip("-")))
        r.put("total_params", number(m["t"]), m, "t")
        if m["a"]:
            r.hits.setdefault("active_params", []).append((m.start("a"), number(m["a"]), m["a"]))


# --- config-style keys: key=value, key: value, "key": value, --key value ---------------------------------
_KEYS: dict[str, str] = {}
for _field, _names in {
    "hidden_size": "hidden_size hidden d_model dmodel n_embd model_dim dim",
    "num_layers": "num_hidden_layers num_layers n_layers n_layer layers",
    "num_heads": "num_attention_heads num_heads n_heads n_head heads attention_heads",
    "num_kv_heads": "num_key_value_heads num_kv_heads n_kv_heads kv_heads kv num_query_groups",
    "head_dim": "head_dim kv_channels",
    "vocab_size": "vocab_size vocab padded_vocab_size",
    "intermediate_size": "intermediate_size ffn_hidden_size ffn ffn_dim d_ff dff",
    "expert_intermediate_size": "moe_intermediate_size moe_ffn_hidden_size expert_intermediate_size expert_ffn",
    "num_experts": "num_experts n_routed_experts num_local_experts num_routed_experts experts moe_num_experts",
    "num_shared_experts": "n_shared_experts num_shared_experts shared_experts shared moe_num_shared_experts",
    "top_k": "num_experts_per_tok moe_router_topk topk top_k moe_topk moe_k",
    "first_k_dense": "first_k_dense_replace first_k_dense",
    "tied_embeddings": "tie_word_embeddings tied_embeddings tie_embeddings tied",
    "use_moe": "use_moe moe",
    "seq_len": "seq_len max_seq_len seq_length max_seq_length context_length block_size",
    "epochs": "epochs num_epochs num_train_epochs",
    "granularity": "granularity",
    "gpu_count": "nproc_per_node num_gpus n_gpus gpus_per_node",
}.items():
    for _name in _names.split():
        _KEYS[_name.replace("_", "")] = _field

_KEY = r"[A-Za-z][A-Za-z0-9_.\-]*"
_VALUE = r"(?P<value>true|false|yes|no|[0-9](?:[0-9_]|\.[0-9]|[eE][+\-]?[0-9])*[kKmMbB]?)"
_KEYED = re.compile(rf"(?P<dash>--)?[\"']?(?P<key>{_KEY})[\"']?(?P<sep>\s*[:=]\s*|\s+)"
                    rf"[\"']?{_VALUE}[\"']?(?![A-Za-z0-9])", _I)
_UNTIE = re.compile(r"--untie[-_]embeddings(?:[-_]and[-_]output[-_]weights)?", _I)
_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def keyed(r: Reader) -> None:
    """``hidden=640``, ``"num_hidden_layers": 32``, ``--num-experts 128``, ``tie_word_embeddings: true``."""
    for m in r.scan(_UNTIE):
        r.put("tied_embeddings", False, m)
    read: dict[str, str] = {}
    for m in r.scan(_KEYED):
        field = _KEYS.get(re.sub(r"[-_.]", "", m["key"].lower()))
        if field is None or not (m["dash"] or "_" in m["key"] or m["sep"].strip()):
            continue  # "hidden 640" is prose, read by the architecture rules
        read[field] = m["key"].lower()
        raw = m["value"].lower()
        if field in ("tied_embeddings", "use_moe"):
            flag = _BOOLS.get(raw)
            if flag is None:
                continue  # "MoE: 256 experts" is prose, not a switch
            if field == "use_moe":
                r.put("dense", not flag, m, "value")
            else:
                r.put(field, flag, m, "value")
        elif field == "granularity":
            r.put(field, number(raw), m, "value")
        else:
            r.put(field, dim(m["value"], binary_k=field == "seq_len"), m, "value")
    if read.get("intermediate_size") == "intermediate_size" and "num_experts" in read \
            and "expert_intermediate_size" not in read:
        # A config's intermediate_size is the expert width in some MoE families (Mixtral, OLMoE) and the dense
        # FFN width in others (DeepSeek, Qwen-MoE): without moe_intermediate_size it reads two ways.
        position, _, written = r.hits["intermediate_size"].pop()
        r.unknown.append((position, written))


# --- size names: 30B-A3B, A2.7B, 1B-7B ---------------------------------------------------------------
_SIZE = r"\d+(?:\.\d+)?\s?[KMBT]"
_TOTAL_ACTIVE = re.compile(rf"(?<![A-Za-z0-9.])(?P<t>{_SIZE})[\s-]*A(?P<a>{_SIZE})(?![A-Za-z0-9])", _I)
_ACTIVE_NAME = re.compile(rf"(?<![A-Za-z0-9.])A(?P<a>{_SIZE})(?![A-Za-z0-9])")
_ACTIVE_TOTAL = re.compile(rf"(?<![A-Za-z0-9.])(?P<a>{_SIZE})-(?P<t>{_SIZE})(?![A-Za-z0-9])"
                           rf"(?=[\s-]*(?:的\s*)?(?:MoE|混合专家|model|模型))", _I)


_LABEL = r"(?:激活|活跃|总|active|activated|total)"
_SLASH_PAIR = re.compile(rf"(?P<l1>{_LABEL})\s*(?:参数量?|params?)?\s*/\s*(?P<l2>{_LABEL})\s*"
                         rf"(?:参数量?|params?|parameters)?"
                         rf"\s*(?:[:：=为是])?\s*{qty('x', scaled=True)}\s*/\s*{qty('y', scaled=True)}", _I)


def size_names(r: Reader) -> None:
    for m in r.scan(_SLASH_PAIR):  # "激活/总参数 3B/16B", "total/active 16B/3B"
        first_active = not m["l1"].lower().startswith(("总", "total"))
        r.put("active_params" if first_active else "total_params", number(m["x"]), m, "x", consume=("x",))
        r.put("total_params" if first_active else "active_params", number(m["y"]), m, "y", consume=("l1", "l2", "y"))
    for m in r.scan(_TOTAL_ACTIVE):
        r.put("total_params", number(m["t"]), m, "t")
        r.put("active_params", number(m["a"]), m, "a")
    for m in r.scan(_ACTIVE_NAME):
        r.put("active_params", number(m["a"]), m, "a")
    for m in r.scan(_ACTIVE_TOTAL):
        active, total = number(m["a"]), number(m["t"])
        if active is not None and total is not None and active < total:
            r.put("active_params", active, m, "a", consume=("a",))
            r.put("total_params", total, m, "t", consume=("t",))


# --- relative changes and alternatives: numbers that are not values -------------------------------------
_RELATIVE = re.compile(rf"(?:再加|多加|再增加|再多|再减|增加|减少|去掉|\badd\b|\banother\b)\s*{amount('n')}"
                       rf"(?=\s*(?:个|more|extra|张|块|层|layers?|experts?|专家|shared|共享))", _I)
_ALTERNATIVES = re.compile(rf"{amount('a')}\s*(?:或者?|或是|还是|\bor\b|/)\s*{amount('b')}"
                           rf"(?=\s*(?:张|块|个|卡|层|layers?|GPUs?|cards?|experts?|专家))", _I)


_ROUTED_STATED = re.compile(r"(?<!\d)\d+\s*个?\s*(?:路由专家|routed)|选\s*\d", _I)
# "千卡规模": an order of magnitude (1000? 1024?), not a count; "8 万卡时" is GPU-hours
_ORDER_OF_MAGNITUDE = re.compile(r"(?<![\d\s一二两三四五六七八九十])[千百万]\s*卡(?!\s*(?:时|小时))", _I)


def relative_and_alternatives(r: Reader) -> None:
    """"再加 2 个共享专家" (relative: the result depends on the plan) and "8 或 16 张" (two values): not values.

    "…4 个路由专家，再加 1 个共享专家" in a full description is not relative: it is the shared count.
    """
    if not _ROUTED_STATED.search(r.text):
        for m in r.scan(_RELATIVE):
            r.unknown_span(m, "n")
    for m in r.scan(_ORDER_OF_MAGNITUDE):
        r.unknown_span(m)
    for m in r.scan(_ALTERNATIVES):
        r.unknown.append((m.start("a"), m["a"]))
        r.unknown.append((m.start("b"), m["b"]))
        r.use(*m.span())


# --- architecture in prose ------------------------------------------------------------------------------
_NO_NOUN = r"(?!\s*(?:个\s*)?(?:epochs?|轮|遍|GPUs?|张|卡|天|days?|weeks?|周|层|layers?|heads?|头|experts?|专家|%))"
_SEQ_LENS = (
    re.compile(rf"(?:(?:max[\s_-]*)?seq(?:uence)?(?:[\s_-]*len(?:gth)?)?|context(?:[\s_-]*(?:length|window|len))?"
               rf"|ctx(?:[\s_-]*len)?|block[\s_-]*size|序列长度|上下文(?:长度|窗口)?|最大长度)"
               rf"(?:\s*(?:拉到|改成|改为|换成|调到|设为|extended\s+to|of))?{IS}{qty('n')}{_NO_NOUN}", _I),
    re.compile(rf"{qty('n')}[\s-]*(?:tokens?[\s-]*)?(?:context(?:[\s_-]*(?:length|window))?|ctx|上下文|序列长度"
               rf"|seq(?:uence)?[\s_-]*len(?:gth)?)(?![A-Za-z])", _I),
)
_KEYED_TAIL = r"(?:[\s_-]*(?:size|dim(?:ension)?|hidden|width|维度|宽度|大小|规模))?"


def _named(names: str, value: str = qty("n")) -> re.Pattern[str]:
    """A value after its name: "hidden 640", "vocab_size: 6400", "隐藏层维度为 768"."""
    return re.compile(rf"(?:{names}){_KEYED_TAIL}{IS}{value}{_NO_NOUN}", _I)


def _counted(names: str) -> re.Pattern[str]:
    """A count before its noun: "8 heads", "16 层", "八个头", "12-layer"."""
    return re.compile(rf"{amount('n')}\s*(?:个\s*)?-?\s*(?:{names})(?![A-Za-z])", _I)


_KV = r"(?:kv|key[\s_-]*value)[\s_-]*"
_DIMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("hidden_size", _named(r"hidden|d[\s_-]?model|model[\s_-]*dim|隐藏层?|隐层|模型维度")),
    ("hidden_size", re.compile(rf"{qty('n')}[\s-]*(?:维\s*(?:的\s*)?(?:隐藏|隐层)|d[\s_-]?model"
                               rf"|hidden(?![\s_-]*layers?)(?:[\s_-]*(?:size|dim))?)", _I)),
    ("head_dim", _named(r"head[\s_-]*dim(?:ension)?|d[\s_-]?head|头维度|每个头的维度")),
    ("num_kv_heads", _named(r"query\s+groups?|kv\s+groups?", amount("n"))),
    ("hidden_size", _named(r"embedding\s+(?:size|dim(?:ension)?)")),
    ("intermediate_size", _named(r"intermediate\s+size(?:\s*\([^)]*\))?")),
    ("intermediate_size", _named(r"(?<![A-Za-z_])(?<!expert )(?<!experts )(?:dense\s+)?"
                                 r"(?:ffn|mlp|intermediate|d[\s_-]?ff)"
                                 r"|前馈(?:层|网络)?|中间层")),
    ("vocab_size", _named(r"vocab(?:ulary)?|词表|词汇表")),
    ("vocab_size", re.compile(rf"{qty('n')}\s*(?:的\s*)?(?:vocab(?:ulary)?|词表)", _I)),
    ("num_kv_heads", _counted(rf"{_KV}(?:heads?|头)")),
    ("num_kv_heads", _named(rf"{_KV}(?:heads?|头数?)|num_key_value_heads|n_kv_heads|GQA[\s-]*(?:groups?)?",
                            rf"-?\s*{amount('n')}(?:\s*个)?")),
    ("num_heads", _counted(r"(?:(?:attention|注意力)\s*)?(?:heads?|头)")),
    ("num_heads", _named(r"n_heads|num_heads|num_attention_heads|heads|注意力头数?|头数", amount("n"))),
    ("num_layers", _counted(r"(?:hidden\s+|transformer\s+|隐藏)?(?:层|layers?|blocks)")),
    ("num_layers", _named(r"层数|num[\s_-]*(?:hidden[\s_-]*)?layers|n[\s_-]*layers?|layers", amount("n"))),
)
_TIED = (
    (re.compile(r"(?:不|没有|未)\s*(?:和|与|跟)?\s*(?:输入\s*)?(?:embedding|词嵌入|嵌入)?\s*共享(?:\s*(?:词嵌入|embedding))?"
                r"|untied(?:\s+embeddings?)?|not\s+tied|separate\s+(?:input\s+and\s+output\s+)?embeddings?", _I),
     False),
    (re.compile(r"(?:输入输出|输入和输出)?\s*(?:embedding|词嵌入)\s*共享|共享(?:输入输出)?\s*(?:词嵌入|embedding)"
                r"|tied\s+(?:input[\s/-]*output\s+)?embeddings?|weight\s+tying", _I), True),
)
_FIRST_DENSE = (
    re.compile(rf"前\s*{amount('n')}\s*层\s*(?:保持|为|是|用|都是)?\s*(?:稠密|dense)(?:\s*层)?", _I),
    re.compile(rf"first\s+{amount('n')}\s+layers?\s+(?:are\s+|stay\s+|kept\s+|remain\s+)?dense", _I),
    re.compile(rf"除(?:了)?前\s*{amount('n')}\s*层(?:以)?外", _I),
    re.compile(rf"(?:all\s+)?(?:FFNs?|FFN\s+layers|layers)\s+except\s+the\s+first\s+{amount('n')}", _I),
    re.compile(r"(?P<one>first\s+layer\s+(?:is\s+|stays\s+)?dense|除(?:了)?第一层(?:以外|外)?"
               r"|(?:all\s+)?(?:FFNs?|FFN\s+layers|layers)\s+except\s+the\s+first(?!\s*\d))", _I),
)


def architecture(r: Reader) -> None:
    for m in r.scan(*_SEQ_LENS):
        r.put("seq_len", dim(m["n"], binary_k=True), m, "n")
    for m in r.scan(*_FIRST_DENSE):
        one = m.groupdict().get("one")
        r.put("first_k_dense", 1 if one else whole(m["n"]), m, "one" if one else "n")
    for pattern, value in _TIED:
        for m in r.scan(pattern):
            r.put("tied_embeddings", value, m)
    for name, pattern in _DIMS:
        for m in r.scan(pattern):
            r.put(name, dim(m["n"]), m, "n")


# --- experts ---------------------------------------------------------------------------------------------
_EXPERT = r"(?:路由)?专家"
_NO_SHARED = re.compile(r"(?:no|without|zero|无|没有|不用|不要|不设|不加)\s*(?:个\s*)?"
                        r"(?:共享专家|shared\s+experts?)", _I)
_SHARED = (
    re.compile(rf"{amount('n')}\s*(?:个\s*)?(?:共享专家|shared|shard)(?:[\s-]*experts?)?(?![A-Za-z])", _I),
    re.compile(rf"(?:外加|另外|再加|加上?|plus|and)\s*{amount('n')}\s*(?:个\s*)?(?:共享(?:专家)?|shared)", _I),
    re.compile(rf"(?:共享专家(?:数量?)?|(?:num_|n_)?shared[\s_-]*experts){IS}{amount('n')}(?:\s*个)?", _I),
)
_WIDTH = (
    re.compile(rf"(?<=expert)s?\s+(?:of|with)\s+(?:width|size|ffn|hidden(?:\s+size)?|intermediate(?:\s+(?:dim|size))?)"
               rf"\s*(?:of\s*)?{qty('n')}", _I),
    re.compile(rf"(?:expert[\s_-]*(?:ffn|mlp|intermediate|hidden)(?:[\s_-]*(?:size|width|dim))?"
               rf"|专家(?:的)?(?:中间|FFN|前馈|隐藏)?(?:层)?(?:维度?|宽度|大小)|moe[\s_-]*(?:intermediate|ffn)[\s_-]*"
               rf"(?:size|hidden[\s_-]*size|dim)?){IS}{qty('n')}", _I),
)
_TOP_K = (
    re.compile(rf"(?<![A-Za-z])top[\s_-]*(?:k\s*)?(?:[:=_-]\s*)?{amount('n')}(?!\s*%)", _I),
    re.compile(rf"(?:每个?\s*token\s*|每次\s*)(?:激活|选择?|路由(?:到|给)?|使用|用|走|发送(?:到|给))\s*{amount('n')}"
               rf"\s*(?:个\s*)?(?:{_EXPERT})?", _I),
    re.compile(rf"(?:激活|选择?|路由(?:到|给)|发送(?:到|给)|分配给?)\s*{amount('n')}\s*个\s*{_EXPERT}", _I),
    re.compile(rf"{amount('n')}\s*(?:个\s*)?(?:active|activated|selected|激活)\s*(?:routed\s+)?(?:experts?|专家)"
               rf"(?!\s*(?:out\s+)?of)"
               rf"|{amount('m')}\s+(?:routed\s+)?(?:experts?\s+)?(?:per\s+token|active|activated)(?![A-Za-z\s]*param)"
               rf"|(?:activates?|routes?(?:\s+each\s+token)?\s+to|picks?|selects?|chooses?|choose)\s+{amount('k')}"
               rf"(?:\s+(?:routed\s+)?experts?)?(?:\s+per\s+token)?(?!\s*(?:out\s+)?of)", _I),
)
_K_OF_E = (
    re.compile(rf"{amount('k')}\s*(?:active\s+|activated\s+)?(?:experts?\s+)?(?:of|out\s+of)\s*{amount('e')}"
               rf"(?:\s*(?:routed\s+)?experts?)?", _I),
    re.compile(rf"{amount('e')}\s*(?:个\s*)?(?:{_EXPERT})?\s*(?:里|中|里面|之中)?\s*(?:每个?\s*token\s*)?(?:选|激活)\s*{amount('k')}"
               rf"(?:\s*个)?", _I),
    re.compile(rf"\(\s*{amount('k')}\s*/\s*{amount('e')}\s*\)", _I),
)
_ROUTED = (
    re.compile(rf"{amount('n')}\s*(?:个\s*)?-?\s*(?:路由专家|专家|routed(?:[\s-]*experts?)?|experts?)(?![A-Za-z])", _I),
    re.compile(rf"(?:(?:路由)?专家(?:数量?|数目)?|(?:num|n)[\s_-]*(?:routed[\s_-]*)?experts){IS}{amount('n')}"
               rf"(?:\s*个)?", _I),
)
_GRANULARITY = (
    re.compile(rf"(?:granularity|粒度)\s*(?:G\s*)?(?:[:=]|为|是|of|取为?|设为|设成|设置为)?\s*{qty('n')}", _I),
    re.compile(rf"切成\s*{amount('n')}\s*个\s*(?:细粒度)?专家", _I),
)


def expert_width(r: Reader) -> None:
    """Before the dimensions: "moe_intermediate_size 768" is an expert width, not the FFN width."""
    for m in r.scan(*_WIDTH):
        r.put("expert_intermediate_size", dim(m["n"]), m, "n")


def experts(r: Reader) -> None:
    for m in r.scan(_NO_SHARED):
        r.put("num_shared_experts", 0, m)
    for m in r.scan(*_SHARED):
        r.put("num_shared_experts", whole(m["n"]), m, "n")
    for m in r.scan(*_GRANULARITY):
        r.put("granularity", number(m["n"]), m, "n")
    for m in r.scan(*_K_OF_E):
        r.put("top_k", whole(m["k"]), m, "k")
        r.put("num_experts", whole(m["e"]), m, "e")
    for m in r.scan(*_TOP_K):
        group = next(g for g in ("n", "m", "k") if m.groupdict().get(g))
        r.put("top_k", whole(m[group]), m, group)
    for m in r.scan(*_ROUTED):
        group = "n" if m.groupdict().get("n") else "m"
        r.put("num_experts", whole(m[group]), m, group)


# --- model size and kind ---------------------------------------------------------------------------------
_PARAMS = r"(?:\s*(?:params?|parameters|参数量?))?"
_ACTIVE = (
    re.compile(rf"{qty('v', scaled=True)}[\s-]*(?:个\s*)?(?:active|activated|acitve|actve|激活|活跃){_PARAMS}", _I),
    re.compile(rf"(?:激活参数量?|激活|活跃参数|(?:activated?|acitve|actve){_PARAMS}){IS}(?:约|about|~)?\s*"
               rf"{qty('v', scaled=True)}", _I),
    re.compile(rf"of\s+which\s+(?:only\s+)?{qty('v', scaled=True)}\s*(?:are\s+)?(?:active|activated|used)", _I),
    re.compile(rf"{qty('v', scaled=True)}\s*(?:params?\s+|parameters\s+)?(?:are\s+)?used\s+per\s+token", _I),
    re.compile(rf"(?:实际上?)?(?:只|仅)(?:用|使用|激活)了?\s*{qty('v', scaled=True)}", _I),
    re.compile(rf"(?:uses?\s+only|only\s+uses?|activates?\s+only|only\s+activates?)\s+{qty('v', scaled=True)}", _I),
)
_TOTAL = (
    re.compile(rf"{qty('v', scaled=True)}[\s-]*(?:total|总参数量?|总){_PARAMS}", _I),
    re.compile(rf"{qty('v')}\s*(?:个\s*)?[\s-]?(?:参数|params?|parameters?)(?![A-Za-z])", _I),
    re.compile(rf"(?:总参数量?|总参|总共|总计|total{_PARAMS}|参数量|参数规模|parameter\s+count|模型(?:大小|规模)|model\s+size)"
               rf"{IS}(?:约|about|~)?\s*{qty('v', scaled=True)}", _I),
    re.compile(rf"{qty('v', scaled=True)}(?=[\s,\x00-]*(?:\d+[\s-]*layers?[\s,-]*)?(?:的\s*)?"
               rf"(?:[小大]\s*)?(?:MoE|dense|稠密|模型|model|modle|LLM|transformer|那个|那种))", _I),
    re.compile(rf"(?:model|模型|MoE|dense|稠密)\s*(?:were|was|is|of|at|to|with|becomes?|=|:|换成|改成|变成|改为|为|是)?"
               rf"\s*{qty('v', scaled=True)}(?![\s-]*(?:tokens?|tok|token|B?\s*token))", _I),
)
_NOT_DENSE_MODEL = r"(?![\s-]*(?:FFN|MLP|layers?|层|部分|的\s*FFN))"
_DENSE = re.compile(rf"(?<![A-Za-z_])dense(?![A-Za-z_]){_NOT_DENSE_MODEL}|稠密(?:模型)?{_NOT_DENSE_MODEL}|密集模型", _I)
_QUESTION = re.compile(r"what\s+(?:is|are)\s+(?:an?\s+)?(?:dense|MoE)|什么是|是什么|explain|解释一下", _I)
_MOE = re.compile(r"(?<![A-Za-z_])MoEs?(?![A-Za-z_])|混合专家|mixture[\s-]+of[\s-]+experts", _I)


_SIZE_LABEL = re.compile(r"激活|活跃|总参|总共|总计|(?<![A-Za-z])(?:active|activated|acitve|total)(?![A-Za-z])", _I)
_SCALED = re.compile(qty("v", scaled=True), _I)


def sizes(r: Reader) -> None:
    # "total 16B active 2.8B" pairs each label with the number after it; "16B total, 2.8B active" with the one
    # before. Whichever comes first in the message decides, so "16B" is not read as "active" in the first.
    label, scaled = _SIZE_LABEL.search(r.work), _SCALED.search(r.work)
    label_first = label is not None and scaled is not None and label.start() < scaled.start()
    order = [(_ACTIVE[1:2], "active_params"), (_TOTAL[2:3], "total_params")] if label_first else []
    order += [(_ACTIVE, "active_params"), (_TOTAL, "total_params")]
    for patterns, name in order:
        for m in r.scan(*patterns):
            r.put(name, number(m["v"]), m, "v", consume=("v",))  # "MoE" in "MoE 145M" still says MoE
    if _QUESTION.search(r.text):  # "what is MoE?" says nothing about the model being planned
        return
    for pattern, dense in ((_DENSE, True), (_MOE, False)):
        for m in r.scan(pattern):
            r.put("dense", dense, m)


SMALL_NUMBER = rf"(?:{NUM}|{CN_SMALL}|{EN_SMALL})"
