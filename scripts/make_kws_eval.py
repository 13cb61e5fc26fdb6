"""Make the keyword-spotting evaluation set under bench/data/kws: espeak-ng speech in noise."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.config import KeywordGroupConfig  # noqa: E402
from monitor.keywords.matcher import KeywordMatcher  # noqa: E402
from scripts.make_speech_fixtures import BITEXACT, parse_out  # noqa: E402

OUT_DIR = REPO / "bench" / "data" / "kws"
RATE = 16_000
SEED = 16
SEED2 = 1602  # the second held-out set's draws (heldout2, written after three rounds of tuning)
SEED3 = 1603  # the third (heldout3, written in the sixth round before anything ran on it)
VOICES = ("en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-us-nyc", "en+f3", "en+m3")
SPEEDS = (135, 150, 165, 180)
NOISES = ("pink", "street", "babble", "music", "brown")
SNRS_DB = (30, 20, 15, 10)

# Sentences that say watched terms (the truth is what the exact matcher finds in the text).
SAID = (
    "Prime Minister Hun Manet opened a new bridge in Kampot this morning.",
    "Former leader Hun Sen spoke to the senate about the border with Thailand.",
    "Opposition leader Kem Sokha was released from house arrest.",
    "Sam Rainsy posted a long video on Facebook last night.",
    "Supporters of the Candlelight Party gathered in Phnom Penh.",
    "The police said the gangsters used a metal bat in the attack.",
    "The video reached fourteen million likes on TikTok in two days.",
    "The National Election Committee rejected the list of candidates.",
    "The Cambodian People's Party won every seat in Battambang.",
    "Activists accused the company of a land grab near Siem Reap.",
    "The government may ban Telegram channels that spread fake news.",
    "Garment workers went on strike for a higher minimum wage.",
    "A new casino in Sihanoukville was linked to an online scam.",
    "Heavy rain caused a flood in Koh Kong province.",
    "Defence minister Tea Banh visited the troops at the border.",
    "Interior minister Sar Kheng warned officials against taking a bribe.",
    "Mu Sochua called for a peaceful protest outside the court.",
    "The killing of Kem Ley is still remembered every July.",
    "Survivors of the Khmer Rouge shared their stories with students.",
    "Historians say Pol Pot ordered the cities to be emptied.",
    "The royalist party Funcinpec will join the coalition talks.",
    "Hun Many leads the youth federation of the ruling party.",
    "The court dissolved the CNRP before the last election.",
    "Officials promised to fight corruption in the customs office.",
    "Satellite images show fresh deforestation in the protected forest.",
    "A speech on YouTube called the journalist a traitor.",
    "Police seized drugs worth two million dollars at the airport.",
    "Rubber prices fell again this month, hurting small farmers.",
    "The new tax on motorbikes starts in January.",
    "Witnesses said three men beat the reporter outside his home.",
    "Hun Sen and Hun Manet appeared together at the party congress.",
    "Kem Sokha and Sam Rainsy founded the party together ten years ago.",
    "The Candlelight Party asked the National Election Committee for more observers.",
    "A bat flew into the classroom and the children laughed.",
    "Local gangsters demanded money from market sellers in Battambang.",
    "The minister said fake news on Facebook is a threat to peace.",
    "Hun Manet promised to raise the salary of garment workers.",
    "A post about the flood in Phnom Penh got fourteen million likes.",
    "Sam Rainsy said he would return to Siem Reap next year.",
    "The arrest of union leaders led to a strike at the port.",
    "Teachers warned students about the online scam on Telegram.",
    "The ruling Cambodian People's Party held a rally in Kampot.",
    "Investigators found that the casino paid a bribe to the police.",
    "Tea Banh and Sar Kheng retired from the cabinet last year.",
    "Kem Sokha said the ban on his political activity was unfair.",
    "Farmers in Koh Kong protest against the land grab by a sugar company.",
    "The Khmer Rouge tribunal heard new evidence about Pol Pot.",
    "Thousands watched the debate about corruption on YouTube.",
    "The family of Kem Ley thanked Mu Sochua for her support.",
    "Customs officers found drugs hidden in rubber sacks.",
)
# Sentences with no watched term, many with near-miss words (mat, bath, band, Sam Ramsey…).
NOT_SAID = (
    "The weather will be hot and dry across the country this week.",
    "The actor Kim Soo-hyun arrived in the capital for a concert.",
    "The baby had a warm bath before bed.",
    "He sat on the mat and read the paper.",
    "Sam Ramsey won the golf tournament in Florida.",
    "The hunters saw seven deer near the river.",
    "They lit a candle at the birthday party for grandmother.",
    "The band played music late into the night.",
    "Tourists enjoyed fresh fish at the seaside market.",
    "The school library received five hundred new books.",
    "A kind man helped the old woman cross the street.",
    "The gang of children played football in the yard.",
    "She bought a new phone and a blue jacket.",
    "The price of gold rose slightly on Monday.",
    "Students planted trees along the road to the temple.",
    "The hospital opened a new ward for children.",
    "The batteries in the radio were dead.",
    "Many people like to watch the sunrise at the temple.",
    "The coffee shop offers free internet to customers.",
    "Rain fell softly on the rice fields all afternoon.",
    "The national team won the regional football cup.",
    "The teacher told the story of a brave young girl.",
    "Her son went to study medicine in Japan.",
    "The market was busy before the new year holiday.",
    "The museum shows old pottery from the ancient kingdom.",
)
# The second held-out set (split "heldout2"): new sentences, never used for tuning.
SAID2 = (
    "Hun Sen met the Japanese ambassador at the Peace Palace on Tuesday.",
    "The Candlelight Party opened a new office in Siem Reap.",
    "Villagers in Kampot said the flood destroyed their rice.",
    "A reporter filmed the protest and shared it on Facebook.",
    "Hun Manet told the assembly that corruption must end.",
    "The Khmer Rouge forced families out of Phnom Penh in nineteen seventy five.",
    "Sar Kheng visited the border post near Poipet.",
    "Police caught two gangsters outside a casino.",
    "Mu Sochua spoke to exiled activists in a video on YouTube.",
    "The National Election Committee will count the ballots tonight.",
    "A scam on TikTok promised easy jobs abroad.",
    "Workers at the rubber plantation went on strike.",
    "Tea Banh inspected the new navy base.",
    "The new tax on fuel angered the drivers.",
    "Sam Rainsy wrote that the election was not free.",
    "Fishermen in Koh Kong say deforestation has hurt the mangroves.",
    "Pol Pot died in the jungle in nineteen ninety eight.",
    "Funcinpec asked its members to vote for the ruling coalition.",
    "The minister called the blogger a traitor on Telegram.",
    "Soldiers seized drugs at a checkpoint outside Battambang.",
    "Kem Ley was shot at a petrol station in the capital.",
    "A landlord tried to bribe the judge in Sihanoukville.",
    "Hun Many thanked the volunteers for their hard work.",
    "The Cambodian People's Party will choose its candidates next month.",
    "Kem Sokha met diplomats from the European Union.",
    "Fake news about the king spread quickly online.",
    "Garment workers marched to demand safer factories.",
    "A court may ban the CNRP leaders from politics.",
    "Security guards beat a farmer during the land grab.",
    "His post about the game reached fourteen million likes.",
    "A stray bat was found under the temple roof.",
)
NOT_SAID2 = (
    "The bathroom tiles were cleaned this morning.",
    "Ten people joined the bank queue before noon.",
    "The baker sold fresh bread at dawn.",
    "Hunting season opens next week in the north.",
    "She kept a tea bag in her pocket.",
    "Sam Reynolds painted the fence green.",
    "The candle lit the small dark room.",
    "A polished pot stood on the kitchen shelf.",
    "The boarding gate closed ten minutes early.",
    "He rested his feet after the long walk.",
    "They heard the beep of a truck backing up.",
    "The telescope showed the rings of Saturn.",
    "The garden workers trimmed the hedges.",
    "Come and see the pretty lanterns tonight.",
    "My cousin studies nursing in Sydney.",
    "The camp by the pond was quiet at night.",
)
# The third held-out set (split "heldout3"): written before any run on it, never used for tuning.
SAID3 = (
    "Hun Sen warned the opposition not to protest during the holiday.",
    "The Candlelight Party said its members were followed by police.",
    "A fire near the market in Battambang destroyed twenty shops.",
    "Hun Manet signed a trade deal with Vietnam.",
    "Kem Sokha thanked his lawyers after the verdict.",
    "A monk shared the interview on Telegram and Facebook.",
    "Sam Rainsy called for a boycott of the election.",
    "The storm cut power to most of Phnom Penh.",
    "Tourists returned to Siem Reap after the rainy season.",
    "Officials in Kampot denied taking a bribe.",
    "A scam centre in Sihanoukville was closed by the police.",
    "Rangers reported deforestation along the river in Koh Kong.",
    "Tea Banh said the army would stay neutral.",
    "Sar Kheng ordered the arrest of officials accused of corruption.",
    "Mu Sochua asked foreign governments to speak up.",
    "Thousands gathered to remember Kem Ley in the rain.",
    "Pol Pot led the Khmer Rouge from the jungle.",
    "Funcinpec lost all its seats in parliament.",
    "Hun Many opened a youth sports centre on Sunday.",
    "The Cambodian People's Party praised the new budget.",
    "Former members of the CNRP were questioned by the court.",
    "The National Election Committee published the final results.",
    "A singer gained fourteen million likes on TikTok.",
    "The ministry warned against fake news on YouTube.",
    "Gangsters set fire to a car near the casino.",
    "Garment workers blocked the road to demand their wages.",
    "Police tried to ban the march but the workers went on strike.",
    "The land grab left two hundred families without homes after the flood.",
    "A teacher was called a traitor for his poem.",
    "The new tax on rubber exports hurt the farmers.",
    "Troops at the border seized drugs hidden in a truck.",
)
NOT_SAID3 = (
    "Sam Rowley fixed the roof of the shed.",
    "Hans Sander sold his old bicycle.",
    "A teapot stood on the kitchen table.",
    "The candle shop closed early on Friday.",
    "A shiny beetle crawled across the leaf.",
    "Come and see them reap the rice by hand.",
    "They cooked soup in a camp pot by the lake.",
    "The coconut trees grew tall along the beach.",
    "A telegraph pole fell across the road in the wind.",
    "The robber ran away with the shopkeeper's money.",
    "The bride wore a red dress at the wedding.",
    "The old clock went tick tock all night.",
    "A large banner hung above the stage.",
    "The garden party ended after sunset.",
    "He kept his pen next to the phone.",
    "The fish market opens at dawn every day.",
)
# Spoken backwards and mixed, these make babble: speech-like sound without words.
BABBLE = (
    "We need more roads and schools in every village of the province.",
    "The meeting will start after lunch in the main hall downstairs.",
    "Please keep your tickets until the end of the journey today.",
)


@dataclass(frozen=True)
class Clip:
    """One clip of the set and its truth."""

    name: str
    text: str
    terms: list[str]  # "group/term" of every watched term said
    voice: str
    speed: int
    noise: str
    snr_db: int
    split: str


def load_groups(path: Path) -> dict[str, KeywordGroupConfig]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: KeywordGroupConfig.model_validate(g) for name, g in data["keywords"].items()}


def run(*argv: str) -> bytes:
    return subprocess.run(argv, check=True, capture_output=True).stdout


def pcm(inputs: list[str], seconds: float | None = None) -> np.ndarray:
    """ffmpeg inputs decoded to 16 kHz mono float32 (cut to `seconds`)."""
    cut = ["-t", f"{seconds:.3f}"] if seconds is not None else []
    raw = run("ffmpeg", "-loglevel", "error", *inputs, *cut, "-ar", str(RATE), "-ac", "1",
              "-f", "s16le", "-")  # fmt: skip
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def speak(text: str, voice: str, speed: int, work: Path) -> np.ndarray:
    wav = work / "speech.wav"
    run("espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text)
    return pcm(["-i", str(wav)])


def noise(kind: str, seconds: float, seed: int, work: Path) -> np.ndarray:
    """`seconds` of one kind of noise, synthesised by ffmpeg (and espeak-ng for babble)."""
    lavfi = ["-f", "lavfi", "-i"]
    if kind in ("pink", "brown"):
        return pcm([*lavfi, f"anoisesrc=c={kind}:a=0.3:seed={seed}:r={RATE}"], seconds)
    if kind == "street":  # traffic rumble and a horn now and then
        rumble = pcm([*lavfi, f"anoisesrc=c=brown:a=0.5:seed={seed}:r={RATE}"], seconds)
        t = np.arange(len(rumble)) / RATE
        horn = 0.15 * np.sin(2 * np.pi * 440 * t) * ((t % 3.0) < 0.4)
        return rumble + horn.astype(np.float32)
    if kind == "music":  # a tone chord changing every second, with a beat
        expr = (
            "0.2*sin(2*PI*t*(220+55*mod(floor(t),4)))+0.15*sin(2*PI*t*277)"
            "+0.15*sin(2*PI*t*330)+0.2*sin(2*PI*t*55)*lt(mod(t,0.5),0.1)"
        )
        return pcm([*lavfi, f"aevalsrc={expr.replace(',', chr(92) + ',')}:s={RATE}"], seconds)
    if kind == "babble":
        voices = [speak(text, VOICES[(seed + i) % 4], 160, work)[::-1] for i, text in
                  enumerate(BABBLE)]  # fmt: skip
        mixed = np.zeros(int(seconds * RATE), dtype=np.float32)
        for i, voice in enumerate(voices):
            tiled = np.resize(np.roll(voice, 4000 * i), mixed.shape)
            mixed += tiled
        return mixed
    raise ValueError(kind)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) or 1e-9


def mix(speech: np.ndarray, kind: str, snr_db: int, seed: int, work: Path) -> np.ndarray:
    """Speech with 0.6 s of noise before and after it, the noise at `snr_db` below the speech."""
    pad = int(0.6 * RATE)
    voiced = np.concatenate([np.zeros(pad, np.float32), speech, np.zeros(pad, np.float32)])
    bed = noise(kind, len(voiced) / RATE + 0.1, seed, work)[: len(voiced)]
    bed = np.pad(bed, (0, len(voiced) - len(bed)))
    gain = rms(speech) / (rms(bed) * 10 ** (snr_db / 20))
    out = voiced + gain * bed
    return out * (0.7 / max(float(np.max(np.abs(out))), 1e-9))


def encode(samples: np.ndarray, out: Path) -> None:
    """16 kHz mono Opus at 20 kb/s, bit-exact (no encoder version or time in the file)."""
    raw = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-f", "s16le", "-ar", str(RATE), "-ac", "1",
         "-i", "-", "-c:a", "libopus", "-b:a", "20k", *BITEXACT, str(out)],
        input=raw, check=True, capture_output=True,
    )  # fmt: skip


def plan(groups: dict[str, KeywordGroupConfig]) -> list[Clip]:
    """Every sentence with its conditions and split, drawn from one seeded generator per set."""
    rng = random.Random(SEED)
    matcher = KeywordMatcher.for_source(groups, "transcripts")
    splits: dict[str, str] = {}
    for pool in (SAID, NOT_SAID):  # half of each pool held out
        order = list(pool)
        rng.shuffle(order)
        for i, text in enumerate(order):
            splits[text] = "dev" if i % 2 == 0 else "heldout"
    first = clips_of([*SAID, *NOT_SAID], SAID, splits, rng, matcher, 0)
    rng2 = random.Random(SEED2)  # heldout2: its own draws, so the first set's stay as they were
    second = [*SAID2, *NOT_SAID2]
    if set(second) & set(splits):
        raise SystemExit("a heldout2 sentence is in the first set")
    clips = first + clips_of(second, SAID2, dict.fromkeys(second, "heldout2"), rng2, matcher,
                             len(first))  # fmt: skip
    third = [*SAID3, *NOT_SAID3]  # heldout3: its own draws too
    if set(third) & (set(splits) | set(second)):
        raise SystemExit("a heldout3 sentence is in an earlier set")
    return clips + clips_of(third, SAID3, dict.fromkeys(third, "heldout3"), random.Random(SEED3),
                            matcher, len(clips))  # fmt: skip


def clips_of(
    sentences: list[str],
    said: tuple[str, ...],
    splits: dict[str, str],
    rng: random.Random,
    matcher: KeywordMatcher,
    first: int,
) -> list[Clip]:
    """The clips of one set, numbered from `first`, conditions drawn from `rng` and cycled."""
    clips = []
    for i, text in enumerate(sentences):
        terms = sorted({f"{m.group}/{m.term}" for m in matcher.match(text)})
        if (text in said) != bool(terms):
            raise SystemExit(f"truth and pool disagree for {text!r}: {terms}")
        clips.append(
            Clip(
                name=f"kws{first + i:03d}.ogg",
                text=text,
                terms=terms,
                voice=rng.choice(VOICES),
                speed=rng.choice(SPEEDS),
                noise=NOISES[i % len(NOISES)],
                snr_db=SNRS_DB[(i // len(NOISES)) % len(SNRS_DB)],
                split=splits[text],
            )
        )
    return clips


def noise_seed(index: int, first_set: int, second_set: int) -> int:
    """The noise bed's seed: SEED + index in the first set, SEED2 + index in heldout2, SEED3 +
    index in heldout3."""
    if index < first_set:
        return SEED + index
    if index < first_set + second_set:
        return SEED2 + index - first_set
    return SEED3 + index - first_set - second_set


def main(argv: list[str] | None = None) -> int:
    out = parse_out(argv, __doc__, OUT_DIR)
    if out is None:
        return 1
    clips = plan(load_groups(OUT_DIR / "keywords.toml"))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        first_set, second_set = len(SAID) + len(NOT_SAID), len(SAID2) + len(NOT_SAID2)
        for i, clip in enumerate(clips):
            speech = speak(clip.text, clip.voice, clip.speed, work)
            seed = noise_seed(i, first_set, second_set)
            encode(mix(speech, clip.noise, clip.snr_db, seed, work), out / clip.name)
    truth = {
        "seed": SEED,
        "seed2": SEED2,
        "seed3": SEED3,
        "rate": RATE,
        "clips": [asdict(c) for c in clips],
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n")
    size = sum((out / c.name).stat().st_size for c in clips)
    said = sum(len(c.terms) for c in clips)
    print(f"{len(clips)} clips, {said} terms said, {size / 1e6:.2f} MB in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
