// The microphone's AudioWorklet: downsamples the capture (the context's rate, 48 kHz where the browser could
// not give the page a 16 kHz context) to 16 kHz with a windowed-sinc low-pass, and posts frames of 512 samples (32 ms, one Silero VAD window) as 16-bit
// PCM to the page, which sends them to voicecoach.

const HALF_TAPS = 16; // the filter looks this many input samples either side
const STEPS = 256; // the kernel is tabulated at this many points per input sample (linear in between)

class Downsampler extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = (options && options.processorOptions) || {};
    this.frameSamples = o.frameSamples || 512;
    this.target = o.targetRate || 16000;
    this.ratio = sampleRate / this.target; // input samples per output sample
    // Cut-off a little under the new Nyquist frequency, in cycles per input sample.
    this.cutoff = (0.45 * Math.min(1, this.target / sampleRate)) * 2;
    this.buffer = new Float32Array(8192);
    this.length = 0; // samples held
    this.base = 0; // absolute index of buffer[0]
    this.next = 0; // index of the next output sample
    this.frame = new Int16Array(this.frameSamples);
    this.filled = 0;
    // The Hann-windowed sinc, tabulated once: computing it per tap (16,000 outputs x 32 taps a second)
    // costs the browser a noticeable share of a core on a busy machine.
    this.table = new Float32Array(HALF_TAPS * STEPS + 2);
    for (let i = 0; i < this.table.length; i++) {
      const d = i / STEPS;
      const x = this.cutoff * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const window = d >= HALF_TAPS ? 0 : 0.5 + 0.5 * Math.cos((Math.PI * d) / HALF_TAPS);
      this.table[i] = this.cutoff * sinc * window;
    }
  }

  kernel(d) {
    // The windowed sinc at distance d (input samples) from the output's position.
    const at = Math.abs(d) * STEPS;
    const i = Math.floor(at);
    if (i >= HALF_TAPS * STEPS) return 0;
    const f = at - i;
    return this.table[i] + (this.table[i + 1] - this.table[i]) * f;
  }

  append(samples) {
    if (this.length + samples.length > this.buffer.length) {
      const bigger = new Float32Array(Math.max(this.buffer.length * 2, this.length + samples.length));
      bigger.set(this.buffer.subarray(0, this.length));
      this.buffer = bigger;
    }
    this.buffer.set(samples, this.length);
    this.length += samples.length;
  }

  process(inputs, outputs) {
    const input = inputs[0] && inputs[0][0];
    if (outputs[0] && outputs[0][0]) outputs[0][0].fill(0);
    if (!input) return true;
    if (this.ratio === 1) {
      // Already at 16 kHz (the browser resampled): only cut into frames.
      for (let i = 0; i < input.length; i++) {
        const v = Math.max(-1, Math.min(1, input[i]));
        this.frame[this.filled++] = v < 0 ? v * 32768 : v * 32767;
        if (this.filled === this.frameSamples) {
          this.port.postMessage(this.frame);
          this.frame = new Int16Array(this.frameSamples);
          this.filled = 0;
        }
      }
      return true;
    }
    this.append(input);
    for (;;) {
      const p = this.next * this.ratio;
      const c = Math.floor(p);
      if (c + HALF_TAPS >= this.base + this.length) break; // wait for more input
      let acc = 0;
      for (let n = c - HALF_TAPS + 1; n <= c + HALF_TAPS; n++) {
        if (n < this.base) continue;
        acc += this.buffer[n - this.base] * this.kernel(p - n);
      }
      const v = Math.max(-1, Math.min(1, acc));
      this.frame[this.filled++] = v < 0 ? v * 32768 : v * 32767;
      this.next++;
      if (this.filled === this.frameSamples) {
        this.port.postMessage(this.frame);
        this.frame = new Int16Array(this.frameSamples);
        this.filled = 0;
      }
    }
    // Drop the input no output sample will need again.
    const keepFrom = Math.floor(this.next * this.ratio) - HALF_TAPS;
    const drop = keepFrom - this.base;
    if (drop > 0) {
      this.buffer.copyWithin(0, drop, this.length);
      this.length -= drop;
      this.base += drop;
    }
    return true;
  }
}

registerProcessor("voicecoach-downsampler", Downsampler);
