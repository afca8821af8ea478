"""Speech for the listener's tests and benchmark, generated from text, deterministically:
espeak-ng voices (the binary: the same samples every run) and the neural voice at rates
other than the coach's, with fan-like and music-like noise mixed in at a fixed seed."""

from __future__ import annotations

import functools
import io
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from skill.listen.listener import SAMPLE_RATE
from skill.listen.sources import to_pcm

GAP = 1.2  # seconds of room tone between utterances (longer than the endpointer's window)
# Voices that are not the coach's: (name, kind, voice or rate). espeak-ng's klatt variant is
# the one of its US voices pocketsphinx's model hears best; the neural voice at two other rates.
VOICES = (("espeak-klatt", "espeak", "en-us+klatt"), ("neural-125", "neural", 125), ("neural-185", "neural", 185))
NOISES = ("clean", "fan", "music")
SNR_DB = 10.0


@dataclass(frozen=True)
class Said:
    """An utterance placed in a stream: its text, and where its speech starts and ends (s)."""

    text: str
    start: float
    end: float


def espeak(text: str, voice: str, rate: int = 150) -> np.ndarray:
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "--stdout", text], capture_output=True, check=True)
    data, rate_hz = soundfile.read(io.BytesIO(wav.stdout), dtype="float64")
    return _float(to_pcm(data, int(rate_hz)))


@functools.cache
def _piper() -> object:
    from piper import PiperVoice

    from speech.local.piper_engine import model_files

    model, config = model_files()
    return PiperVoice.load(str(model), config_path=str(config))


def neural(text: str, rate: int) -> np.ndarray:
    """The neural voice at `rate` words a minute, its random variation off (noise scales 0),
    so the same text gives the same samples in every run (the coach's engine keeps it on)."""
    from piper import SynthesisConfig

    from speech.local.piper_engine import length_scale

    config = SynthesisConfig(length_scale=length_scale(rate), noise_scale=0.0, noise_w_scale=0.0)
    chunks = [c.audio_int16_array for c in _piper().synthesize(text, config)]  # type: ignore[attr-defined]
    rate_hz = _piper().config.sample_rate  # type: ignore[attr-defined]
    return _float(to_pcm(np.concatenate(chunks) / 32768.0, rate_hz))


@functools.cache
def speak(text: str, voice: tuple[str, str, str | int]) -> np.ndarray:
    """The text said in the voice (made once per process: noise is mixed over a copy)."""
    _, kind, which = voice
    return espeak(text, str(which)) if kind == "espeak" else neural(text, int(which))


def _float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, "<i2").astype(np.float64) / 32768.0


def trim(x: np.ndarray, floor: float = 0.01) -> np.ndarray:
    loud = np.flatnonzero(np.abs(x) > floor)
    return x[loud[0] : loud[-1] + 1] if len(loud) else x[:0]


def noise(kind: str, n: int, seed: int) -> np.ndarray:
    """Unit-power noise: "fan" is brown-ish noise with a hum; "music" chords of tones that
    change every half second, with a beat."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SAMPLE_RATE
    if kind == "fan":
        x = np.cumsum(rng.standard_normal(n))
        x -= np.convolve(x, np.ones(801) / 801, mode="same")  # a slow drift removed: a rumble that stays
        x += 0.3 * np.std(x) * np.sin(2 * np.pi * 120 * t)
    elif kind == "music":
        x = np.zeros(n)
        notes = 220 * 2 ** (rng.integers(0, 24, size=(int(n / SAMPLE_RATE * 2) + 1, 3)) / 12)
        chord = notes[(t * 2).astype(int)]
        for k in range(3):
            x += np.sin(2 * np.pi * np.cumsum(chord[:, k]) / SAMPLE_RATE)
        x *= 0.6 + 0.4 * (np.sin(2 * np.pi * 2 * t) > 0)
    else:
        return np.zeros(n)
    return x / np.sqrt(np.mean(x**2))


def stream(texts: list[str], voice: tuple[str, str, str | int], noise_kind: str = "clean", seed: int = 7):
    """The utterances one after another with GAP between them, noise over the whole at SNR_DB
    below the speech's power; the samples and where each utterance is."""
    parts, said, at = [np.zeros(int(GAP * SAMPLE_RATE))], [], GAP
    for text in texts:
        x = trim(speak(text, voice))
        said.append(Said(text, at, at + len(x) / SAMPLE_RATE))
        parts += [x, np.zeros(int(GAP * SAMPLE_RATE))]
        at += len(x) / SAMPLE_RATE + GAP
    x = np.concatenate(parts)
    if noise_kind != "clean":
        speech_power = np.mean(np.concatenate(parts[1::2]) ** 2)
        x = x + noise(noise_kind, len(x), seed) * np.sqrt(speech_power / 10 ** (SNR_DB / 10))
    return np.clip(x, -1, 1), said


def write_wav(path: Path, x: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((x * 32767).astype("<i2").tobytes())
    return path
