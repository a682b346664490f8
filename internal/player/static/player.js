// readcast's web player: the read-along of the episode page, and the copy
// button of the show page. Vanilla JavaScript, no build step, no framework.
//
// The page carries every time it needs: each sentence of the transcript is a
// <span class="s" id="s-…" data-b="START" data-e="END">, each written word a
// <span data-b> inside it (with a data-e when its end is not the next word's
// start), each chapter link a data-b. The script
// indexes them once, then on every timeupdate, and on every animation frame
// while playing, finds the sentence and the word at audio.currentTime by
// binary search. The highlight is a function of the audio clock, never of
// elapsed time, so it cannot drift however long the episode is.
//
// Without this script the page still works: the browser's own audio controls,
// the whole transcript, and time links into the MP3 (media fragments).
//
// How it reads: helpers (time formats, binary search, clipboard), then the
// Player, whose methods each do one thing (update the display, seek, follow
// the spoken sentence, …), then the wiring of each part of the page to it
// (audio events, controls, transcript, keyboard, search, media session),
// and last, start.
(function () {
  'use strict';

  // Loaded in <head> without defer, so that this class is set before the
  // first paint and the page never flashes its no-script layout. (So the
  // script is one classic file, not ES modules, which are always deferred.)
  document.documentElement.classList.add('js');

  var EPS = 0.001; // seconds: a seek lands exactly on a start; count it in
  var BACK = 15, FORWARD = 30; // seconds, as the buttons say
  var RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
  var SEARCH_MAX = 50; // search results listed

  function ready(fn) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', fn);
    } else {
      fn();
    }
  }

  ready(function () {
    initCopyButtons();
    var root = document.getElementById('player');
    if (root) initPlayer(root);
  });

  // --- Helpers ---

  // clock formats seconds as m:ss or h:mm:ss, as the server does.
  function clock(t) {
    t = Math.max(0, Math.floor((t || 0) + 1e-6));
    var h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
    var ss = (s < 10 ? '0' : '') + s;
    if (h) return h + ':' + (m < 10 ? '0' : '') + m + ':' + ss;
    return m + ':' + ss;
  }

  // parseClock reads "95", "95.5", "1:35" or "0:01:35" (a media fragment's
  // npt time) as seconds, or NaN.
  function parseClock(s) {
    if (!/^\d+(:\d+){0,2}(\.\d+)?$/.test(s)) return NaN;
    return s.split(':').reduce(function (acc, part) { return acc * 60 + parseFloat(part); }, 0);
  }

  // last returns the index of the last value ≤ t in the ascending array a,
  // or -1 when t is before the first.
  function last(a, t) {
    var lo = 0, hi = a.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (a[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function attrTime(el) {
    return parseFloat(el.getAttribute('data-b'));
  }

  // --- Copying ---

  // copyText copies s to the clipboard and reports whether it could.
  function copyText(s) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(s).then(function () { return true; }, function () { return legacyCopy(s); });
    }
    return Promise.resolve(legacyCopy(s));
  }

  function legacyCopy(s) {
    var ta = document.createElement('textarea');
    ta.value = s;
    ta.setAttribute('readonly', '');
    ta.className = 'offscreen';
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    ta.remove();
    return ok;
  }

  // initCopyButtons wires every <button data-copy="ID"> to copy the value of
  // the field with that id. The buttons are hidden until this runs.
  function initCopyButtons() {
    var buttons = document.querySelectorAll('button[data-copy]');
    Array.prototype.forEach.call(buttons, function (b) {
      var field = document.getElementById(b.getAttribute('data-copy'));
      if (!field) return;
      var status = b.parentNode.parentNode.querySelector('.copy-status');
      b.hidden = false;
      b.addEventListener('click', function () {
        copyText(field.value).then(function (ok) { copied(b, field, status, ok); });
      });
    });
  }

  // copied tells the outcome of a copy button's click, for a while.
  function copied(b, field, status, ok) {
    if (!ok) {
      field.focus();
      field.select();
    }
    var msg = ok ? 'Feed URL copied' : 'Press Ctrl+C (⌘C) to copy the selected URL';
    if (status) status.textContent = msg;
    b.textContent = ok ? 'Copied' : 'Copy';
    setTimeout(function () {
      b.textContent = 'Copy';
      if (status) status.textContent = '';
    }, 2500);
  }

  // --- The transcript's index ---

  // indexSentences lists the transcript's sentences and words in time order,
  // with their start and end times.
  function indexSentences(transcript) {
    var sentEls = Array.prototype.slice.call(transcript.querySelectorAll('.s[data-b]'));
    var x = {
      sentEls: sentEls,
      sStart: new Float64Array(sentEls.length), sEnd: new Float64Array(sentEls.length),
      wordEls: [], wSent: []
    };
    var wStart = [], wEnd = [];
    sentEls.forEach(function (el, i) {
      x.sStart[i] = attrTime(el);
      x.sEnd[i] = parseFloat(el.getAttribute('data-e'));
      var words = Array.prototype.filter.call(el.children, function (w) { return w.hasAttribute('data-b'); });
      words.forEach(function (w, j) {
        // A word's end is written only when it is not the start of the
        // next word (or, for the last, the end of the sentence).
        var end = w.getAttribute('data-e');
        x.wordEls.push(w);
        wStart.push(attrTime(w));
        wEnd.push(end !== null ? parseFloat(end) : j + 1 < words.length ? attrTime(words[j + 1]) : x.sEnd[i]);
        x.wSent.push(i);
      });
    });
    x.wStart = Float64Array.from(wStart);
    x.wEnd = Float64Array.from(wEnd);
    return x;
  }

  // indexChapters lists the chapter links with their start times and titles.
  function indexChapters() {
    var links = Array.prototype.slice.call(document.querySelectorAll('.chapter-list a[data-b]'));
    return {
      chapterLinks: links,
      cStart: Float64Array.from(links.map(attrTime)),
      chapterTitles: links.map(function (a) { return a.querySelector('.chapter-title').textContent; })
    };
  }

  // --- The player ---

  // Player holds the page's elements, the transcript's index and the state
  // of the display; its methods each do one thing.
  function Player(root) {
    this.root = root;
    this.audio = document.getElementById('audio');
    this.controls = root.querySelector('.controls');
    this.playBtn = document.getElementById('play');
    this.seek = document.getElementById('seek');
    this.seekBox = this.seek.parentNode;
    this.timeCur = document.getElementById('time-current');
    this.timeTotal = document.getElementById('time-total');
    this.rateSel = document.getElementById('rate');
    this.nowChapter = document.getElementById('now-chapter');
    this.transcript = document.getElementById('transcript');
    this.followBtn = document.getElementById('follow');
    this.announcer = document.getElementById('announcer');
    this.toast = document.getElementById('toast');
    this.search = document.getElementById('search');
    this.keys = document.querySelector('.keys');
    this.duration = parseFloat(root.getAttribute('data-duration')) || 0;
    this.store = storage();
    this.posKey = 'readcast:position:' + root.getAttribute('data-slug');
    this.rateKey = 'readcast:rate';
    this.reduceMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

    Object.assign(this, indexSentences(this.transcript), indexChapters());

    this.curS = -1; this.curW = -1; this.curC = -1; this.shownSecond = -1;
    this.follow = true;
    this.pending = null; // a seek asked before the audio had metadata
    this.raf = 0;
    this.scrubbing = false;
    this.lastSave = 0;
    this.started = false; // chapter changes are announced only after load
    this.toastTimer = 0;
    this.autoScrollUntil = 0;
  }

  // showControls replaces the browser's audio controls by the custom ones.
  Player.prototype.showControls = function () {
    this.audio.removeAttribute('controls');
    this.controls.hidden = false;
    if (this.search) this.search.hidden = false;
    if (this.keys) this.keys.hidden = false;
    document.body.classList.add('has-player');
  };

  Player.prototype.total = function () {
    var d = this.audio.duration;
    return isFinite(d) && d > 0 ? d : this.duration;
  };

  Player.prototype.now = function () {
    return this.pending !== null ? this.pending : this.audio.currentTime;
  };

  // update renders the state of the clock t: highlight, chapter, seek bar.
  Player.prototype.update = function (t) {
    var s = this.showSentence(t);
    this.showWord(t, s);
    this.showChapter(t);
    this.showTime(t);
  };

  // showSentence highlights the sentence at t, scrolling to it when
  // following, and returns its index (or -1).
  Player.prototype.showSentence = function (t) {
    var s = last(this.sStart, t + EPS);
    if (s >= 0 && t > this.sEnd[s] + 3) s = -1; // a long silence after it
    if (s === this.curS) return s;
    if (this.curS >= 0) this.sentEls[this.curS].classList.remove('is-current');
    this.curS = s;
    if (s >= 0) {
      this.sentEls[s].classList.add('is-current');
      if (this.follow && this.started && !this.audio.paused) this.reveal(this.sentEls[s], false);
    }
    this.followBtn.hidden = this.follow || s < 0;
    return s;
  };

  // showWord lights the word at t of sentence s. A word stays lit through
  // the short gap before the next one, not through the pause between
  // sentences.
  Player.prototype.showWord = function (t, s) {
    var w = last(this.wStart, t + EPS);
    if (w >= 0 && (t > this.wEnd[w] + 0.25 || this.wSent[w] !== s)) w = -1;
    if (w === this.curW) return;
    if (this.curW >= 0) this.wordEls[this.curW].classList.remove('is-spoken');
    this.curW = w;
    if (w >= 0) this.wordEls[w].classList.add('is-spoken');
  };

  // showChapter marks the chapter at t in the list and the bar, and
  // announces a change once the page has started.
  Player.prototype.showChapter = function (t) {
    var c = last(this.cStart, t + EPS);
    if (c === this.curC) return;
    var links = this.chapterLinks;
    if (this.curC >= 0) {
      links[this.curC].classList.remove('is-current');
      links[this.curC].removeAttribute('aria-current');
    }
    this.curC = c;
    if (c < 0) {
      this.nowChapter.textContent = '';
      return;
    }
    links[c].classList.add('is-current');
    links[c].setAttribute('aria-current', 'true');
    this.nowChapter.textContent = this.chapterTitles[c];
    if (this.started) this.announce('Chapter ' + (c + 1) + ' of ' + links.length + ': ' + this.chapterTitles[c]);
  };

  // showTime moves the seek bar to t and shows the time, once a second.
  Player.prototype.showTime = function (t) {
    var d = this.total();
    if (!this.scrubbing) this.seek.value = String(t);
    this.seekBox.style.setProperty('--progress', (d ? Math.min(100, t / d * 100) : 0) + '%');
    var sec = Math.floor(t + 1e-6);
    if (sec === this.shownSecond) return;
    this.shownSecond = sec;
    this.timeCur.textContent = clock(t);
    this.seek.setAttribute('aria-valuetext', clock(t) + ' of ' + clock(d));
  };

  // loop updates the display on every animation frame while playing.
  Player.prototype.loop = function () {
    var p = this;
    p.raf = 0;
    p.update(p.audio.currentTime);
    if (!p.audio.paused && !p.audio.ended) p.raf = requestAnimationFrame(function () { p.loop(); });
  };

  // announce tells screen readers msg.
  Player.prototype.announce = function (msg) {
    this.announcer.textContent = msg;
  };

  // say shows msg for a few seconds.
  Player.prototype.say = function (msg) {
    var toast = this.toast;
    toast.textContent = msg;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(function () { toast.textContent = ''; }, 3000);
  };

  // seekTo moves the clock to t, keeping play or pause as it was.
  Player.prototype.seekTo = function (t) {
    t = Math.max(0, Math.min(t, this.total() || t));
    if (this.audio.readyState >= 1) {
      this.audio.currentTime = t;
      this.pending = null;
    } else {
      this.pending = t;
    }
    this.update(t);
    this.save(t);
  };

  // jump seeks to t and brings its sentence into view, following again.
  Player.prototype.jump = function (t) {
    this.resumeFollow();
    this.seekTo(t);
    this.revealNow(true);
  };

  Player.prototype.play = function () {
    var p = this;
    var promise = p.audio.play();
    if (promise && promise.catch) {
      promise.catch(function (err) {
        if (err && err.name !== 'AbortError') p.say('The browser did not let the audio play: press play again.');
      });
    }
  };

  Player.prototype.togglePlay = function () {
    if (this.audio.paused || this.audio.ended) this.play(); else this.audio.pause();
  };

  Player.prototype.skip = function (by) {
    this.seekTo(this.now() + by);
  };

  // setRate sets the speed and remembers it for every episode.
  Player.prototype.setRate = function (r) {
    this.audio.playbackRate = r;
    this.audio.defaultPlaybackRate = r;
    this.rateSel.value = String(r);
    if (this.store) {
      try { this.store.setItem(this.rateKey, String(r)); } catch (e) { /* full or denied */ }
    }
  };

  // stepRate moves to the next speed up (dir 1) or down (dir -1).
  Player.prototype.stepRate = function (dir) {
    var i = RATES.indexOf(this.audio.playbackRate);
    if (i < 0) i = RATES.indexOf(1);
    i = Math.max(0, Math.min(RATES.length - 1, i + dir));
    this.setRate(RATES[i]);
    this.say('Speed ' + RATES[i] + '×');
  };

  // goChapter moves to the next chapter (dir 1) or back (dir -1): back to
  // the start of the current chapter first, as a CD player does, unless
  // that start is only a moment ago.
  Player.prototype.goChapter = function (dir) {
    var cStart = this.cStart;
    if (!cStart.length) return;
    var t = this.now();
    var c = last(cStart, t + EPS);
    var target;
    if (dir > 0) {
      if (c + 1 >= cStart.length) return;
      target = c + 1;
    } else {
      target = c >= 0 && t - cStart[c] > 3 ? c : Math.max(0, c - 1);
    }
    this.jump(cStart[target]);
  };

  // save remembers the position t in this episode, or forgets it near the
  // start and the end.
  Player.prototype.save = function (t) {
    if (!this.store) return;
    try {
      if (t < 1 || t > this.total() - 5) this.store.removeItem(this.posKey);
      else this.store.setItem(this.posKey, t.toFixed(2));
    } catch (e) { /* full or denied: resuming is a nicety */ }
  };

  // forget drops the remembered position.
  Player.prototype.forget = function () {
    if (!this.store) return;
    try { this.store.removeItem(this.posKey); } catch (e) { /* denied */ }
  };

  // reveal scrolls el into the upper part of the viewport, unless it is
  // there already (or always, with force). Autoscroll keeps the spoken
  // sentence there; a scroll the reader makes stops it, and the follow
  // button offers the way back.
  Player.prototype.reveal = function (el, force, instant) {
    var r = el.getBoundingClientRect();
    var bottomBar = this.root.getBoundingClientRect().top;
    var band = bottomBar > 0 && bottomBar < window.innerHeight ? bottomBar : window.innerHeight;
    if (!force && r.top >= band * 0.12 && r.bottom <= band * 0.72) return;
    var y = window.scrollY + r.top - band * 0.3;
    this.autoScrollUntil = performance.now() + 1200;
    window.scrollTo({ top: Math.max(0, y), behavior: this.reduceMotion || instant ? 'instant' : 'smooth' });
  };

  // revealNow reveals the current sentence.
  Player.prototype.revealNow = function (force, instant) {
    if (this.curS >= 0) this.reveal(this.sentEls[this.curS], force, instant);
  };

  Player.prototype.stopFollow = function () {
    if (!this.follow) return;
    this.follow = false;
    this.followBtn.hidden = this.curS < 0;
  };

  Player.prototype.resumeFollow = function () {
    this.follow = true;
    this.followBtn.hidden = true;
  };

  // placeTicks puts the chapter ticks on the seek bar.
  Player.prototype.placeTicks = function () {
    var d = this.total();
    Array.prototype.forEach.call(this.root.querySelectorAll('.seek-ticks span[data-b]'), function (tick) {
      tick.style.setProperty('left', (attrTime(tick) / d * 100) + '%');
    });
  };

  // timeOf reads the time a link points at: "#t=…" in its URL.
  Player.prototype.timeOf = function (href) {
    var i = href.indexOf('#');
    return i < 0 ? NaN : this.timeOfHash(href.slice(i));
  };

  // timeOfHash reads a deep link: #t=SECONDS (or npt:h:mm:ss, a media
  // fragment), #s-… (a sentence's permalink), or #chapter-N.
  Player.prototype.timeOfHash = function (hash) {
    var h;
    try { h = decodeURIComponent(hash.replace(/^#/, '')); } catch (e) { return NaN; }
    var m = /^t=(?:npt:)?([\d:.]+)/.exec(h);
    if (m) return parseClock(m[1]);
    var el = h && document.getElementById(h);
    if (!el) return NaN;
    if (el.matches('.s[data-b]')) return attrTime(el);
    m = /^chapter-(\d+)$/.exec(h);
    if (m && this.chapterLinks[m[1] - 1]) return this.cStart[m[1] - 1];
    return NaN;
  };

  // share copies a link to the current sentence (or moment), or puts it in
  // the address bar when the clipboard is out of reach.
  Player.prototype.share = function () {
    var p = this;
    var hash = p.curS >= 0 ? '#' + p.sentEls[p.curS].id : '#t=' + Math.floor(p.now());
    var url = location.origin + location.pathname + hash;
    copyText(url).then(function (ok) {
      if (ok) {
        p.say(p.curS >= 0 ? 'Link to this sentence copied' : 'Link to this moment copied');
      } else {
        history.replaceState(null, '', hash);
        p.say('The address bar now links to this sentence');
      }
    });
  };

  // --- Wiring the page to the player ---

  function initPlayer(root) {
    var p = new Player(root);
    p.showControls();
    bindScrolling(p);
    bindAudio(p);
    bindControls(p);
    p.placeTicks();
    bindTranscript(p);
    document.addEventListener('keydown', function (ev) { onKey(p, ev); });
    if (p.search) initSearch(p);
    bindMediaSession(p);
    start(p);
  }

  // bindScrolling stops following when the reader scrolls, and the follow
  // button resumes it.
  function bindScrolling(p) {
    window.addEventListener('scrollend', function () { p.autoScrollUntil = 0; });
    window.addEventListener('scroll', function () {
      if (performance.now() > p.autoScrollUntil) p.stopFollow();
    }, { passive: true });
    // A wheel or a swipe over the page (not over the sidebar, which scrolls
    // on its own, nor over the player bar) is the reader scrolling away.
    function readerScrolls(ev) {
      if (ev.target.closest && ev.target.closest('.side, .player')) return;
      p.stopFollow();
    }
    window.addEventListener('wheel', readerScrolls, { passive: true });
    window.addEventListener('touchmove', readerScrolls, { passive: true });
    p.followBtn.addEventListener('click', function () {
      p.resumeFollow();
      p.revealNow(true);
    });
  }

  // bindAudio lets the audio element's events drive the display, and saves
  // the position as it goes and when the page is left.
  function bindAudio(p) {
    var audio = p.audio;
    audio.addEventListener('loadedmetadata', function () {
      if (p.pending !== null) {
        audio.currentTime = p.pending;
        p.pending = null;
      }
      p.timeTotal.textContent = clock(p.total());
      p.seek.max = String(p.total());
      p.placeTicks();
      p.update(audio.currentTime);
    });
    audio.addEventListener('play', function () { showPlaying(p, true); });
    audio.addEventListener('pause', function () { showPlaying(p, false); });
    audio.addEventListener('timeupdate', function () {
      if (p.pending !== null) return;
      p.update(audio.currentTime);
      var t = performance.now();
      if (t - p.lastSave > 1000) {
        p.lastSave = t;
        p.save(audio.currentTime);
      }
    });
    audio.addEventListener('seeked', function () {
      if (p.pending === null) {
        p.update(audio.currentTime);
        p.save(audio.currentTime);
      }
    });
    audio.addEventListener('ended', function () {
      p.forget();
      p.announce('End of the episode.');
    });
    audio.addEventListener('error', function () {
      p.say('The audio could not be loaded. The MP3 link above downloads it.');
    });
    function savePosition() { p.save(p.now()); }
    window.addEventListener('pagehide', savePosition);
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') savePosition();
    });
  }

  // showPlaying shows that the audio plays or has paused: the play
  // button's label, and the animation loop while it plays.
  function showPlaying(p, playing) {
    var label = playing ? 'Pause' : 'Play';
    p.root.classList.toggle('is-playing', playing);
    p.playBtn.setAttribute('aria-label', label);
    p.playBtn.title = label + ' (K or space)';
    if (playing) {
      if (p.follow) p.revealNow(false);
      if (!p.raf) p.raf = requestAnimationFrame(function () { p.loop(); });
    } else {
      p.update(p.audio.currentTime);
      p.save(p.audio.currentTime);
    }
  }

  // bindControls wires the player bar: play, skip, speed, seek and share.
  function bindControls(p) {
    var seek = p.seek;
    p.playBtn.addEventListener('click', function () { p.togglePlay(); });
    document.getElementById('back').addEventListener('click', function () { p.skip(-BACK); });
    document.getElementById('fwd').addEventListener('click', function () { p.skip(FORWARD); });
    p.rateSel.addEventListener('change', function () { p.setRate(parseFloat(p.rateSel.value)); });
    seek.addEventListener('pointerdown', function () { p.scrubbing = true; });
    window.addEventListener('pointerup', function () { p.scrubbing = false; });
    seek.addEventListener('input', function () { p.seekTo(parseFloat(seek.value)); });
    seek.addEventListener('change', function () { p.scrubbing = false; });
    seek.addEventListener('keydown', function (ev) { onSeekKey(p, ev); });
    document.getElementById('share').addEventListener('click', function () { p.share(); });
  }

  // onSeekKey moves by the arrows, the page keys, Home and End on the seek
  // bar, by steps of its own rather than the keyboard shortcuts'.
  function onSeekKey(p, ev) {
    var by = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -30, PageUp: 30 }[ev.key];
    if (ev.key === 'Home') { p.seekTo(0); } else if (ev.key === 'End') { p.seekTo(p.total()); } else if (by) { p.skip(by); } else { return; }
    ev.preventDefault();
    ev.stopPropagation();
  }

  // bindTranscript makes the transcript and the chapter list seek. Clicking
  // a word seeks to it; clicking elsewhere in a sentence, to the sentence;
  // a paragraph's time link, to the paragraph. Selecting text does not seek.
  //
  // The time links are named "Play from m:ss" for a page without this
  // script, where they open the MP3 there; here they move the clock and
  // keep play or pause, as a click on a word does, and their names say so.
  function bindTranscript(p) {
    Array.prototype.forEach.call(p.transcript.querySelectorAll('a.t'), function (a) {
      a.setAttribute('aria-label', 'Go to ' + a.textContent.trim());
    });
    p.transcript.addEventListener('click', function (ev) {
      var t = clickedTime(p, ev);
      if (isNaN(t)) return;
      p.resumeFollow();
      p.seekTo(t);
    });
    p.chapterLinks.forEach(function (a, i) {
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        p.jump(p.cStart[i]);
      });
    });
  }

  // clickedTime is the time a click in the transcript seeks to, or NaN.
  function clickedTime(p, ev) {
    var link = ev.target.closest('a.t');
    if (link) {
      var t = p.timeOf(link.getAttribute('href'));
      if (!isNaN(t)) ev.preventDefault();
      return t;
    }
    var sel = window.getSelection && window.getSelection();
    if (sel && !sel.isCollapsed && String(sel).trim()) return NaN;
    var el = ev.target.closest('.s > span[data-b]') || ev.target.closest('.s[data-b]');
    return el ? attrTime(el) : NaN;
  }

  // onKey is the keyboard: space or K plays and pauses, J/L or the arrows
  // skip, < and > change the speed, N and P move by chapter, / searches.
  // Keys typed into a field are the field's, and space or Enter on a button
  // or link is that button's or link's. The seek bar is no text field: its
  // arrows are its own (onSeekKey), the other shortcuts work on it too, or
  // they would stop working once a listener had dragged it. On the speed
  // list, space, Enter and the arrows are the list's, and the letters and
  // < > / (which choose none of its options) are the shortcuts.
  function onKey(p, ev) {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var target = ev.target;
    var field = target.closest && target.closest('input:not([type=range]), textarea, select, [contenteditable]');
    if (field && !(field.tagName === 'SELECT' && /^[a-zA-Z<>\/]$/.test(ev.key))) return;
    var onControl = target.closest && target.closest('button, a, summary');
    switch (ev.key) {
      case ' ':
      case 'Spacebar':
        if (onControl) return;
        p.togglePlay();
        break;
      case 'k': case 'K': p.togglePlay(); break;
      case 'j': case 'J': case 'ArrowLeft': p.skip(-BACK); break;
      case 'l': case 'L': case 'ArrowRight': p.skip(FORWARD); break;
      case '<': p.stepRate(-1); break;
      case '>': p.stepRate(1); break;
      case 'n': case 'N': p.goChapter(1); break;
      case 'p': case 'P': p.goChapter(-1); break;
      case '/':
        if (!p.search) return;
        document.getElementById('q').focus();
        break;
      default: return;
    }
    ev.preventDefault();
  }

  // --- Search ---

  // initSearch lists the sentences that contain the query, with their
  // times; choosing one seeks to the word where the match begins.
  function initSearch(p) {
    var s = {
      q: document.getElementById('q'),
      status: document.getElementById('search-status'),
      results: document.getElementById('results'),
      folded: p.sentEls.map(function (el) { return fold(el.textContent); }),
      marked: []
    };
    var timer = 0;
    s.q.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { runSearch(p, s); }, 120);
    });
    s.q.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape') {
        s.q.value = '';
        runSearch(p, s);
      } else if (ev.key === 'Enter') {
        clearTimeout(timer);
        runSearch(p, s);
        var first = s.results.querySelector('button');
        if (first) first.click();
      }
    });
  }

  // MARKS are what fold strips: Latin accents (once decomposed), Hebrew
  // vowel points and cantillation, Arabic harakat and Quranic marks, and the
  // Arabic tatweel (a stretch of the line). A reader types a word without
  // them, and a text may carry them.
  var MARKS = /[\u0300-\u036f\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed]/g;

  // fold lowercases and strips accents, vowel points and typographic quotes,
  // keeping for each folded character the index of its original one.
  function fold(text) {
    var out = '', map = [];
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      var f = (c.normalize ? c.normalize('NFD') : c).replace(MARKS, '');
      f = f.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'").replace(/[\u201c\u201d]/g, '"').replace(/[\u2013\u2014]/g, '-');
      for (var k = 0; k < f.length; k++) { out += f[k]; map.push(i); }
    }
    map.push(text.length);
    return { text: out, map: map };
  }

  // runSearch marks the sentences that match the query of search s and
  // lists the first of them.
  function runSearch(p, s) {
    var query = fold(s.q.value.trim().replace(/\s+/g, ' ')).text;
    s.results.textContent = '';
    s.marked.forEach(function (el) { el.classList.remove('is-match'); });
    s.marked = [];
    if (query.length < 2) {
      s.status.textContent = s.q.value.trim() ? 'Type at least two letters' : '';
      return;
    }
    var count = 0;
    var frag = document.createDocumentFragment();
    s.folded.forEach(function (f, i) {
      var at = f.text.indexOf(query);
      if (at < 0) return;
      count++;
      p.sentEls[i].classList.add('is-match');
      s.marked.push(p.sentEls[i]);
      if (count <= SEARCH_MAX) frag.appendChild(searchResult(p, i, f.map[at], f.map[at + query.length]));
    });
    s.results.appendChild(frag);
    s.status.textContent = count === 0 ? 'No sentence matches' :
      (count === 1 ? '1 sentence matches' : count + ' sentences match') + (count > SEARCH_MAX ? ', the first ' + SEARCH_MAX + ' are listed' : '');
  }

  // wordTimeAt is the start of the word of sentence i at character from.
  function wordTimeAt(p, i, from) {
    var words = p.sentEls[i].querySelectorAll('span[data-b]');
    var t = p.sStart[i], offset = 0;
    for (var k = 0; k < words.length; k++) {
      if (offset > from) break;
      t = attrTime(words[k]);
      offset += words[k].textContent.length + 1;
    }
    return t;
  }

  // searchResult is the list item of sentence i, whose characters from
  // to to match: its time and the match in context, a button that seeks.
  function searchResult(p, i, from, to) {
    var text = p.sentEls[i].textContent;
    var t = wordTimeAt(p, i, from);
    var li = document.createElement('li');
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'result';
    var time = document.createElement('time');
    time.textContent = clock(t);
    var snippet = document.createElement('span');
    snippet.className = 'snippet';
    var start = Math.max(0, from - 40), end = Math.min(text.length, to + 60);
    var mark = document.createElement('mark');
    mark.textContent = text.slice(from, to);
    snippet.append((start > 0 ? '…' : '') + text.slice(start, from), mark, text.slice(to, end) + (end < text.length ? '…' : ''));
    b.append(time, snippet);
    b.addEventListener('click', function () {
      p.resumeFollow();
      p.seekTo(t);
      p.reveal(p.sentEls[i], true);
    });
    li.appendChild(b);
    return li;
  }

  // --- Lock screens and start ---

  // bindMediaSession shows the episode on lock screens and lets headsets
  // skip and move by chapter (the Media Session API).
  function bindMediaSession(p) {
    if (!('mediaSession' in navigator && window.MediaMetadata)) return;
    var root = p.root;
    try {
      navigator.mediaSession.metadata = new MediaMetadata({
        title: root.getAttribute('data-title'),
        artist: root.getAttribute('data-show'),
        album: root.getAttribute('data-show'),
        artwork: [{ src: root.getAttribute('data-cover'), type: 'image/jpeg' }]
      });
      navigator.mediaSession.setActionHandler('seekbackward', function () { p.skip(-BACK); });
      navigator.mediaSession.setActionHandler('seekforward', function () { p.skip(FORWARD); });
      navigator.mediaSession.setActionHandler('previoustrack', function () { p.goChapter(-1); });
      navigator.mediaSession.setActionHandler('nexttrack', function () { p.goChapter(1); });
    } catch (e) { /* an action this browser does not know */ }
  }

  // start sets the speed the listener chose last, then goes to a deep link,
  // or else to the position this episode was left at; later deep links
  // (hash changes) seek too.
  function start(p) {
    var savedRate = p.store && parseFloat(p.store.getItem(p.rateKey));
    if (savedRate && RATES.indexOf(savedRate) >= 0) p.setRate(savedRate);
    var linked = p.timeOfHash(location.hash);
    if (!isNaN(linked)) {
      p.seekTo(linked);
      p.revealNow(true, true);
    } else {
      var saved = p.store && parseFloat(p.store.getItem(p.posKey));
      if (saved > 0 && saved < p.total()) {
        p.seekTo(saved);
        p.say('Resumed at ' + clock(saved));
      } else {
        p.update(0);
      }
    }
    window.addEventListener('hashchange', function () {
      var t = p.timeOfHash(location.hash);
      if (!isNaN(t)) p.jump(t);
    });
    p.started = true;
  }
})();
