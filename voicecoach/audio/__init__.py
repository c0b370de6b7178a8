"""Audio in and out: files, resampling and loudness, devices, capture, playback, voice activity, turns.

Modules:

* ``clip``: ``AudioClip`` (mono samples and their rate) and reading any WAV, FLAC, MP3 or OGG file.
* ``dsp``: the numpy filters and resampler (no scipy at run time); ``loudness``: playback level.
* ``devices``: PortAudio's devices by number or name; ``mic``: the ``Microphone`` interface and its
  sounddevice capture; ``snd``: the ``Player`` interface and its sounddevice playback.
* ``vad``: Silero voice activity detection and the speech/silence ``Hysteresis``.
* ``listen``: turn-taking on the VAD (utterances, pauses, the end of an answer).

May import: ``voicecoach.errors``, ``voicecoach.memory`` and the standard library, numpy, soundfile,
sounddevice and onnxruntime (the last two inside the functions that need them). Nothing above it.
"""

__all__ = ["clip", "devices", "dsp", "listen", "loudness", "mic", "snd", "vad"]
