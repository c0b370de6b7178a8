// voicecoach web: the practice page. One WebSocket to the server carries the settings, the microphone
// (16 kHz PCM frames from mic-worklet.js), the interviewer's speech (PCM clips played with Web Audio, with
// the moment each is heard reported back) and the interview's events as JSON.
//
// Everything the candidate said or pasted is put on the page with textContent, never as markup.

const $ = (id) => document.getElementById(id);
const app = $("app");

const STATES = {
  speaking: "Interviewer speaking",
  listening: "Listening",
  hearing: "Hearing you",
  transcribing: "Thinking",
  paused: "Paused",
  done: "Finished",
};
const KEYS = { r: "repeat", s: "slower", n: "skip", d: "done", b: "not_finished", p: "pause", h: "help", e: "stop" };
const FRAME_SAMPLES = 512;

// What the bench and the tests read: per answer, when its card was shown and its verdict heard (page
// clock, ms), and the latencies worked out from them.
const record = { shown: {}, heardAt: {}, latencies: [], events: [], states: [], micOpenedAt: null, finished: null };
window.voicecoach = record;

let socket = null;
let audio = null; // the AudioContext that plays the interviewer (at the device's rate)
let mic = null; // { stream, node, context }
let state = "";
let answering = false; // speech has been heard in this turn (for which commands apply)
let lastAnswerIndex = null;

// -- the set-up form ------------------------------------------------------------------------------------
function readFile(input) {
  const file = input.files && input.files[0];
  if (!file) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const bytes = new Uint8Array(reader.result);
      let binary = "";
      for (let i = 0; i < bytes.length; i += 0x8000) {
        binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      }
      resolve({ name: file.name, data: btoa(binary) });
    };
    reader.onerror = () => reject(new Error(`cannot read ${file.name}`));
    reader.readAsArrayBuffer(file);
  });
}

async function formSettings() {
  const form = $("setup-form");
  const get = (name) => (form.elements[name] ? form.elements[name].value : "");
  const text = (id) => $(id).value.trim();
  const job = text("job") ? { text: text("job") } : await readFile($("job-file"));
  const cv = text("cv") ? { text: text("cv") } : await readFile($("cv-file"));
  return {
    round: (form.querySelector("input[name=round]:checked") || {}).value || "mixed",
    role: get("role").trim(),
    questions: get("questions"),
    follow_ups: get("follow_ups"),
    feedback: get("feedback"),
    voice: get("voice"),
    end_silence: get("end_silence"),
    intro: get("intro"),
    seed: get("seed"),
    job,
    cv,
  };
}

function showFormError(message, fix, field) {
  const box = field === "role" ? $("role-error") : $("form-error");
  box.textContent = fix ? `${message}. ${fix}.` : message;
  box.hidden = false;
  if (field === "role") {
    $("role").setAttribute("aria-invalid", "true");
    $("role").focus();
  } else {
    box.focus?.();
  }
}

function clearFormErrors() {
  for (const id of ["role-error", "form-error", "live-error"]) $(id).hidden = true;
  $("role").removeAttribute("aria-invalid");
}

// -- sound out: the interviewer ---------------------------------------------------------------------------
const playback = { streams: new Map(), sources: new Set(), tail: 0 };

function heardAt(contextTime) {
  // When a sample scheduled at contextTime reaches the speaker, on the page clock (performance.now()).
  const ts = audio.getOutputTimestamp ? audio.getOutputTimestamp() : null;
  if (ts && ts.performanceTime > 0) return ts.performanceTime + (contextTime - ts.contextTime) * 1000;
  const latency = audio.outputLatency || audio.baseLatency || 0;
  return performance.now() + (contextTime - audio.currentTime + latency) * 1000;
}

function playClip(data) {
  const view = new DataView(data);
  const stream = view.getUint32(0, true);
  const rate = view.getUint32(4, true);
  const pcm = new Int16Array(data, 8);
  if (!pcm.length) return;
  const buffer = audio.createBuffer(1, pcm.length, rate);
  const channel = buffer.getChannelData(0);
  for (let i = 0; i < pcm.length; i++) channel[i] = pcm[i] / 32768;
  let s = playback.streams.get(stream);
  if (!s) {
    s = { pending: 0, ended: false, reported: false };
    playback.streams.set(stream, s);
  }
  const source = audio.createBufferSource();
  source.buffer = buffer;
  source.connect(audio.destination);
  const at = Math.max(audio.currentTime + 0.03, playback.tail);
  source.start(at);
  playback.tail = at + buffer.duration;
  playback.sources.add(source);
  s.pending += 1;
  if (!s.reported) {
    s.reported = true;
    const heard = heardAt(at);
    send({ type: "played", stream, heard_at: heard });
    // The first speech after an answer's card is its verdict.
    if (lastAnswerIndex !== null && record.heardAt[lastAnswerIndex] === undefined) {
      record.heardAt[lastAnswerIndex] = heard;
    }
  }
  source.onended = () => {
    playback.sources.delete(source);
    s.pending -= 1;
    finishStream(stream);
  };
}

function finishStream(stream) {
  const s = playback.streams.get(stream);
  if (s && s.ended && s.pending === 0) {
    playback.streams.delete(stream);
    send({ type: "ended", stream });
  }
}

function audioEnd(stream) {
  const s = playback.streams.get(stream);
  if (!s) {
    send({ type: "ended", stream });
    return;
  }
  s.ended = true;
  finishStream(stream);
}

function stopAudio() {
  for (const source of playback.sources) {
    source.onended = null;
    try {
      source.stop();
    } catch (e) {
      /* already stopped */
    }
  }
  playback.sources.clear();
  for (const stream of playback.streams.keys()) send({ type: "ended", stream });
  playback.streams.clear();
  playback.tail = 0;
}

function watchSound() {
  // A browser that has not seen a click yet keeps the AudioContext suspended (autostart links): ask for one.
  const contexts = () => [audio, ...(mic && mic.context !== audio ? [mic.context] : [])];
  const update = () => {
    $("sound").hidden = !contexts().some((c) => c.state === "suspended");
  };
  audio.onstatechange = update;
  update();
  $("sound-on").addEventListener("click", () => {
    for (const c of contexts()) c.resume();
  });
}

// -- sound in: the microphone ------------------------------------------------------------------------------
function captureContext(stream) {
  // Capture in a context of its own at 16 kHz where the browser allows it: the browser resamples natively
  // and the context does a third of the work of one at 48 kHz, which matters on a busy machine. Firefox
  // cannot connect a microphone to a context at another rate: there the page's own context is used and
  // the worklet downsamples.
  try {
    const context = new AudioContext({ sampleRate: 16000, latencyHint: "interactive" });
    return { context, source: context.createMediaStreamSource(stream) };
  } catch (e) {
    return { context: audio, source: audio.createMediaStreamSource(stream) };
  }
}

async function openMicrophone() {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
  });
  const { context, source } = captureContext(stream);
  if (context.state === "suspended") context.resume().catch(() => {});
  await context.audioWorklet.addModule("/static/mic-worklet.js");
  const node = new AudioWorkletNode(context, "voicecoach-downsampler", {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [1],
    processorOptions: { frameSamples: FRAME_SAMPLES, targetRate: 16000 },
  });
  // The worklet writes silence; connected so that the graph keeps pulling it.
  const sink = context.createGain();
  sink.gain.value = 0;
  source.connect(node).connect(sink).connect(context.destination);
  node.port.onmessage = (event) => {
    const pcm = event.data;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const frame = new ArrayBuffer(8 + pcm.byteLength);
    new DataView(frame).setFloat64(0, performance.now(), true);
    new Int16Array(frame, 8).set(pcm);
    socket.send(frame);
  };
  return { stream, node, context };
}

// -- the socket -----------------------------------------------------------------------------------------------
function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function connect() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/ws`);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error("cannot reach voicecoach (is `voicecoach web` still running?)"));
    ws.onmessage = (event) => {
      if (typeof event.data !== "string") {
        playClip(event.data);
        return;
      }
      handle(JSON.parse(event.data));
    };
    ws.onclose = () => {
      if (state !== "done" && !record.finished) {
        showLiveError("The connection to voicecoach was closed. Your answers so far are saved in your history.");
      }
      stopMic();
    };
  });
}

function stopMic() {
  if (mic) {
    for (const track of mic.stream.getTracks()) track.stop();
    mic.node.port.onmessage = null;
    if (mic.context !== audio) mic.context.close().catch(() => {});
    mic = null;
  }
}

// -- what the server says ---------------------------------------------------------------------------------
function handle(m) {
  record.events.push(m.type);
  switch (m.type) {
    case "sync":
      send({ type: "sync", n: m.n, page: performance.now() });
      break;
    case "progress":
      addLog(m.text);
      break;
    case "started":
      $("question-h").textContent = m.mode === "demo" ? "The demo is starting" : "The interview is starting";
      break;
    case "state":
      setState(m.state);
      break;
    case "question":
      showQuestion(m);
      break;
    case "prompt":
      if (m.kind === "follow_up" || m.kind === "continued") {
        $("followup").textContent = m.kind === "follow_up" ? `Follow-up: ${m.text}` : m.text;
        $("followup").hidden = false;
        $("transcript").textContent = "";
        answering = false;
        updateButtons();
      }
      break;
    case "level":
      $("level").value = Math.min(1, m.level * 6);
      $("level").textContent = m.level.toFixed(2);
      showElapsed(m.elapsed_s);
      break;
    case "partial":
      $("transcript").textContent = m.text;
      answering = true;
      updateButtons();
      break;
    case "command":
      addLog(m.heard === "(pressed)" ? `Command: ${m.command}` : `Command heard: ${m.command} (“${m.heard}”)`);
      if (m.command === "pause") $("pause").dataset.command = "resume";
      if (m.command === "resume") $("pause").dataset.command = "pause";
      $("pause").lastChild.textContent = $("pause").dataset.command === "resume" ? " Resume" : " Pause";
      break;
    case "answer":
      showAnswer(m);
      break;
    case "timing":
      showTiming(m);
      break;
    case "info":
      addLog(m.text);
      break;
    case "summary":
      showSummary(m);
      break;
    case "finished":
      record.finished = m;
      stopMic();
      if (m.message) showLiveError(`${m.message}. ${m.fix}.`);
      if (m.session_id) {
        $("session-link").href = `/history/${m.session_id}`;
        $("report-link").href = `/report/${m.session_id}.html`;
      }
      $("summary").hidden = false;
      break;
    case "error":
      stopMic();
      if (!$("live").hidden && state) {
        showLiveError(`${m.message}. ${m.fix || ""}${m.kept ? ` (${m.kept}.)` : ""}`);
      } else {
        $("live").hidden = true;
        $("setup").hidden = false;
        const closest = m.closest && m.closest.length ? ` The closest: ${m.closest.join(", ")}.` : "";
        showFormError(m.message + (closest ? "." + closest.slice(0, -1) : ""), m.fix, m.field);
      }
      break;
    case "audio_end":
      audioEnd(m.stream);
      break;
    case "stop_audio":
      stopAudio();
      break;
  }
}

function setState(s) {
  state = s;
  record.states.push([performance.now(), s]);
  $("state").textContent = STATES[s] || s;
  $("state").dataset.state = s;
  if (s === "listening") showElapsed(0);
  if (s === "done") stopMic();
  updateButtons();
}

function updateButtons() {
  const listening = ["listening", "hearing", "paused"].includes(state);
  for (const b of document.querySelectorAll(".commands button")) {
    const c = b.dataset.command;
    let on = listening;
    if (c === "stop") on = state !== "done" && state !== "";
    else if (c === "done") on = listening && answering && state !== "paused";
    else if (c === "resume") on = state === "paused";
    // "I wasn't finished" while the verdict on that answer is being said, or before the next answer starts
    else if (c === "not_finished") on = state === "speaking" || (listening && !answering && state !== "paused");
    else if (state === "paused") on = false;
    else on = listening && !answering;
    b.disabled = !on;
  }
}

function showElapsed(seconds) {
  const s = Math.floor(seconds);
  $("elapsed").textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function showQuestion(m) {
  $("question-h").textContent = `Question ${m.index + 1} of ${m.total}`;
  $("question-meta").textContent = `${m.round_name} round`;
  $("question").textContent = m.text;
  $("followup").hidden = true;
  $("transcript").textContent = "";
  answering = false;
  updateButtons();
}

function addLog(text) {
  const li = document.createElement("li");
  li.textContent = text;
  $("log").prepend(li);
  while ($("log").children.length > 6) $("log").lastChild.remove();
}

function showLiveError(text) {
  $("live-error").textContent = text;
  $("live-error").hidden = false;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function scoreBar(label, value) {
  const p = el("p", "score");
  const id = `s${Math.random().toString(36).slice(2)}`;
  const l = el("label", null, `${label} ${value}/100`);
  l.htmlFor = id;
  const meter = el("meter");
  meter.id = id;
  meter.min = 0;
  meter.max = 100;
  meter.low = 40;
  meter.high = 70;
  meter.optimum = 100;
  meter.value = value;
  meter.textContent = `${value}/100`;
  p.append(l, " ", meter);
  return p;
}

function showAnswer(m) {
  const a = m.answer;
  const ev = a.evaluation;
  $("results").hidden = false;
  const card = el("article", "card");
  card.id = `answer-${a.index}`;
  card.setAttribute("aria-labelledby", `answer-${a.index}-h`);
  const h = el("h3", null, `Q${a.index}. ${a.question}`);
  h.id = `answer-${a.index}-h`;
  card.append(h, el("p", "meta", `${m.round_name} round · ${a.status}`));
  const transcript = el("p", "transcript");
  for (const [text, kind] of m.segments) {
    if (kind) transcript.append(el("mark", kind, text));
    else transcript.append(document.createTextNode(text));
  }
  card.append(transcript);
  for (const part of a.parts.filter((p) => p.kind === "follow_up")) {
    card.append(el("p", "followup", `Follow-up asked: “${part.prompt}” — you answered: “${part.text}”`));
  }
  if (ev) {
    card.append(el("p", `verdict suits-${ev.suits}`, ev.verdict));
    card.append(scoreBar("HR round", ev.scores.hr), scoreBar("Hiring-manager round", ev.scores.hiring_manager));
    // A flag's evidence is the quote itself (a string; empty for length-based flags).
    for (const f of ev.flags) card.append(el("p", "flag", `Flag: ${f.label}${f.evidence ? ` — “${f.evidence}”` : ""}`));
    const signals = el("ul", "signals");
    for (const s of ev.signals.filter((s) => s.round === a.round)) {
      const quote = s.evidence && s.evidence.length ? ` — “${s.evidence[0].text}”` : "";
      // The coach's status for the round asked (the same words as the terminal's): shown, partly there,
      // missing, or not asked by this question (not a fault).
      const status = s.status || (s.found ? "found" : "missing");
      const words = {found: "Shown", partly: "Partly there", close: "Partly there", missing: "Missing",
                     not_asked: "Not asked by this question"}[status] || (s.found ? "Shown" : "Missing");
      const li = el("li", status, `${words}: ${s.label}${status === "found" ? quote : ""}`);
      signals.append(li);
    }
    card.append(el("h4", null, "What the answer showed"), signals);
    if (ev.tips.length) {
      const tips = el("ol", "tips");
      for (const t of ev.tips) tips.append(el("li", null, t));
      card.append(el("h4", null, "Tips"), tips);
    }
  }
  if (m.delivery) card.append(el("p", "meta", m.delivery));
  for (const line of m.insights) card.append(el("p", "meta insight", line));
  if (m.audio_url) {
    const player = el("audio");
    player.controls = true;
    player.preload = "none";
    player.src = m.audio_url;
    player.setAttribute("aria-label", `Your answer to question ${a.index}`);
    const p = el("p");
    p.append(player);
    card.append(p);
  }
  card.append(el("p", "meta timing"));
  $("cards").prepend(card);
  lastAnswerIndex = a.index;
  $("announce").textContent = ev ? `Question ${a.index}: ${ev.verdict}` : `Question ${a.index}: ${a.status}`;
  // Shown: once the card has been laid out and painted.
  requestAnimationFrame(() => {
    record.shown[a.index] = performance.now();
  });
}

function showTiming(m) {
  const shown = record.shown[m.index];
  const heard = record.heardAt[m.index];
  if (m.after_end_silence_s === null || m.after_end_silence_s === undefined) return;
  // Both page-clock times are known here: the verdict was shown (heard - shown) before it was heard.
  const shownAfter = shown !== undefined && heard !== undefined ? m.after_end_silence_s - (heard - shown) / 1000 : null;
  const entry = { index: m.index, heard_s: m.after_end_silence_s, shown_s: shownAfter };
  record.latencies.push(entry);
  const card = $(`answer-${m.index}`);
  if (card) {
    card.querySelector(".timing").textContent =
      heard !== undefined
        ? `Feedback heard ${m.after_end_silence_s.toFixed(2)} s after your closing pause` +
          (shownAfter !== null ? `, shown after ${shownAfter.toFixed(2)} s` : "")
        : `Feedback ${m.after_end_silence_s.toFixed(2)} s after your closing pause`;
  }
}

function showSummary(m) {
  const list = $("summary-lines");
  list.textContent = "";
  for (const line of m.lines.slice(1)) list.append(el("li", null, line.trim()));
  if (m.session_id) {
    $("session-link").href = `/history/${m.session_id}`;
    $("report-link").href = `/report/${m.session_id}.html`;
  }
  $("summary").hidden = false;
}

// -- starting ---------------------------------------------------------------------------------------------------
async function start(mode) {
  clearFormErrors();
  let settings;
  try {
    settings = await formSettings();
  } catch (e) {
    showFormError(e.message, "choose the file again");
    return;
  }
  audio = audio || new AudioContext({ latencyHint: "interactive" });
  if (audio.state === "suspended") audio.resume().catch(() => {});
  watchSound();
  if (mode === "practice" && !mic) {
    try {
      mic = await openMicrophone();
      record.micOpenedAt = performance.now();
    } catch (e) {
      const why =
        e && e.name === "NotAllowedError"
          ? "The microphone is blocked for this page"
          : e && e.name === "NotFoundError"
          ? "No microphone was found"
          : `The microphone could not be opened (${e && e.message})`;
      showFormError(why, "allow it from the address bar and start again, or watch the demo (no microphone needed)");
      return;
    }
  }
  try {
    socket = socket && socket.readyState === WebSocket.OPEN ? socket : await connect();
  } catch (e) {
    stopMic();
    showFormError(e.message);
    return;
  }
  $("setup").hidden = true;
  $("live").hidden = false;
  $("main").focus();
  setState("");
  $("state").textContent = "Starting";
  send({ type: "start", mode, microphone: Boolean(mic), settings });
}

function press(command) {
  const b = document.querySelector(`.commands button[data-command="${command}"]`);
  if (b && b.disabled) return;
  send({ type: "press", command });
}

document.addEventListener("keydown", (event) => {
  if ($("live").hidden || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
  let command = KEYS[event.key.toLowerCase()];
  if (!command) return;
  if (command === "pause") command = $("pause").dataset.command;
  event.preventDefault();
  press(command);
});

for (const b of document.querySelectorAll(".commands button")) {
  b.addEventListener("click", () => press(b.dataset.command));
}

$("setup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  start("practice");
});
$("demo").addEventListener("click", () => start("demo"));
for (const [area, file] of [["job", "job-file"], ["cv", "cv-file"]]) {
  $(file).addEventListener("change", () => {
    if ($(file).files.length) $(area).value = "";
  });
}
updateButtons();
if (app.dataset.autostart === "1") start(app.dataset.mode);
