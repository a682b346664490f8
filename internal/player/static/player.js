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
(function () {
  'use strict';

  // Loaded in <head> without defer, so that this class is set before the
  // first paint and the page never flashes its no-script layout.
  document.documentElement.classList.add('js');

  var EPS = 0.001; // seconds: a seek lands exactly on a start; count it in
  var BACK = 15, FORWARD = 30; // seconds, as the buttons say
  var RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];

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
        copyText(field.value).then(function (ok) {
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
        });
      });
    });
  }

  function initPlayer(root) {
    var audio = document.getElementById('audio');
    var controls = root.querySelector('.controls');
    var playBtn = document.getElementById('play');
    var seek = document.getElementById('seek');
    var seekBox = seek.parentNode;
    var timeCur = document.getElementById('time-current');
    var timeTotal = document.getElementById('time-total');
    var rateSel = document.getElementById('rate');
    var nowChapter = document.getElementById('now-chapter');
    var transcript = document.getElementById('transcript');
    var followBtn = document.getElementById('follow');
    var announcer = document.getElementById('announcer');
    var toast = document.getElementById('toast');
    var search = document.getElementById('search');
    var keys = document.querySelector('.keys');
    var slug = root.getAttribute('data-slug');
    var duration = parseFloat(root.getAttribute('data-duration')) || 0;
    var store = storage();
    var posKey = 'readcast:position:' + slug;
    var rateKey = 'readcast:rate';
    var reduceMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

    // The custom controls replace the browser's.
    audio.removeAttribute('controls');
    controls.hidden = false;
    if (search) search.hidden = false;
    if (keys) keys.hidden = false;
    document.body.classList.add('has-player');

    // Index the transcript: sentences and words in time order.
    var sentEls = Array.prototype.slice.call(transcript.querySelectorAll('.s[data-b]'));
    var sStart = new Float64Array(sentEls.length), sEnd = new Float64Array(sentEls.length);
    var wordEls = [], wStartList = [], wEndList = [], wSent = [];
    sentEls.forEach(function (el, i) {
      sStart[i] = parseFloat(el.getAttribute('data-b'));
      sEnd[i] = parseFloat(el.getAttribute('data-e'));
      var words = Array.prototype.filter.call(el.children, function (w) { return w.hasAttribute('data-b'); });
      words.forEach(function (w, j) {
        // A word's end is written only when it is not the start of the
        // next word (or, for the last, the end of the sentence).
        var end = w.getAttribute('data-e');
        wordEls.push(w);
        wStartList.push(parseFloat(w.getAttribute('data-b')));
        wEndList.push(end !== null ? parseFloat(end) : j + 1 < words.length ? parseFloat(words[j + 1].getAttribute('data-b')) : sEnd[i]);
        wSent.push(i);
      });
    });
    var wStart = Float64Array.from(wStartList), wEnd = Float64Array.from(wEndList);

    var chapterLinks = Array.prototype.slice.call(document.querySelectorAll('.chapter-list a[data-b]'));
    var cStart = Float64Array.from(chapterLinks.map(function (a) { return parseFloat(a.getAttribute('data-b')); }));
    var chapterTitles = chapterLinks.map(function (a) { return a.querySelector('.chapter-title').textContent; });

    var curS = -1, curW = -1, curC = -1, shownSecond = -1;
    var follow = true;
    var pending = null; // a seek asked before the audio had metadata
    var raf = 0;
    var scrubbing = false;
    var lastSave = 0;
    var started = false; // chapter changes are announced only after load

    function total() {
      return isFinite(audio.duration) && audio.duration > 0 ? audio.duration : duration;
    }

    function now() {
      return pending !== null ? pending : audio.currentTime;
    }

    // update renders the state of the clock t: highlight, chapter, seek bar.
    function update(t) {
      var s = last(sStart, t + EPS);
      if (s >= 0 && t > sEnd[s] + 3) s = -1; // a long silence after it
      if (s !== curS) {
        if (curS >= 0) sentEls[curS].classList.remove('is-current');
        curS = s;
        if (s >= 0) {
          sentEls[s].classList.add('is-current');
          if (follow && started && !audio.paused) reveal(sentEls[s], false);
        }
        followBtn.hidden = follow || s < 0;
      }
      var w = last(wStart, t + EPS);
      // A word stays lit through the short gap before the next one, not
      // through the pause between sentences.
      if (w >= 0 && (t > wEnd[w] + 0.25 || wSent[w] !== s)) w = -1;
      if (w !== curW) {
        if (curW >= 0) wordEls[curW].classList.remove('is-spoken');
        curW = w;
        if (w >= 0) wordEls[w].classList.add('is-spoken');
      }
      var c = last(cStart, t + EPS);
      if (c !== curC) {
        if (curC >= 0) {
          chapterLinks[curC].classList.remove('is-current');
          chapterLinks[curC].removeAttribute('aria-current');
        }
        curC = c;
        if (c >= 0) {
          chapterLinks[c].classList.add('is-current');
          chapterLinks[c].setAttribute('aria-current', 'true');
          nowChapter.textContent = chapterTitles[c];
          if (started) announce('Chapter ' + (c + 1) + ' of ' + chapterLinks.length + ': ' + chapterTitles[c]);
        } else {
          nowChapter.textContent = '';
        }
      }
      var d = total();
      if (!scrubbing) seek.value = String(t);
      seekBox.style.setProperty('--progress', (d ? Math.min(100, t / d * 100) : 0) + '%');
      var sec = Math.floor(t + 1e-6);
      if (sec !== shownSecond) {
        shownSecond = sec;
        timeCur.textContent = clock(t);
        seek.setAttribute('aria-valuetext', clock(t) + ' of ' + clock(d));
      }
    }

    function loop() {
      raf = 0;
      update(audio.currentTime);
      if (!audio.paused && !audio.ended) raf = requestAnimationFrame(loop);
    }

    function announce(msg) {
      announcer.textContent = msg;
    }

    var toastTimer = 0;
    function say(msg) {
      toast.textContent = msg;
      clearTimeout(toastTimer);
      toastTimer = setTimeout(function () { toast.textContent = ''; }, 3000);
    }

    // seekTo moves the clock to t, keeping play or pause as it was.
    function seekTo(t) {
      t = Math.max(0, Math.min(t, total() || t));
      if (audio.readyState >= 1) {
        audio.currentTime = t;
        pending = null;
      } else {
        pending = t;
      }
      update(t);
      save(t);
    }

    function play() {
      var p = audio.play();
      if (p && p.catch) {
        p.catch(function (err) {
          if (err && err.name !== 'AbortError') say('The browser did not let the audio play: press play again.');
        });
      }
    }

    function togglePlay() {
      if (audio.paused || audio.ended) play(); else audio.pause();
    }

    function skip(by) {
      seekTo(now() + by);
    }

    function setRate(r) {
      audio.playbackRate = r;
      audio.defaultPlaybackRate = r;
      rateSel.value = String(r);
      if (store) {
        try { store.setItem(rateKey, String(r)); } catch (e) { /* full or denied */ }
      }
    }

    function stepRate(dir) {
      var i = RATES.indexOf(audio.playbackRate);
      if (i < 0) i = RATES.indexOf(1);
      i = Math.max(0, Math.min(RATES.length - 1, i + dir));
      setRate(RATES[i]);
      say('Speed ' + RATES[i] + '×');
    }

    // goChapter moves to the next chapter (dir 1) or back (dir -1): back to
    // the start of the current chapter first, as a CD player does, unless
    // that start is only a moment ago.
    function goChapter(dir) {
      if (!cStart.length) return;
      var t = now();
      var c = last(cStart, t + EPS);
      var target;
      if (dir > 0) {
        if (c + 1 >= cStart.length) return;
        target = c + 1;
      } else {
        target = c >= 0 && t - cStart[c] > 3 ? c : Math.max(0, c - 1);
      }
      resumeFollow();
      seekTo(cStart[target]);
      revealNow(true);
    }

    function save(t) {
      if (!store) return;
      try {
        if (t < 1 || t > total() - 5) store.removeItem(posKey);
        else store.setItem(posKey, t.toFixed(2));
      } catch (e) { /* full or denied: resuming is a nicety */ }
    }

    // Autoscroll keeps the spoken sentence in the upper part of the
    // viewport. A scroll the reader makes stops it, and the follow button
    // offers the way back.
    var autoScrollUntil = 0;
    function reveal(el, force, instant) {
      var r = el.getBoundingClientRect();
      var bottomBar = root.getBoundingClientRect().top;
      var viewBottom = bottomBar > 0 && bottomBar < window.innerHeight ? bottomBar : window.innerHeight;
      var band = viewBottom;
      if (!force && r.top >= band * 0.12 && r.bottom <= band * 0.72) return;
      var y = window.scrollY + r.top - band * 0.3;
      autoScrollUntil = performance.now() + 1200;
      window.scrollTo({ top: Math.max(0, y), behavior: reduceMotion || instant ? 'instant' : 'smooth' });
    }

    function revealNow(force, instant) {
      if (curS >= 0) reveal(sentEls[curS], force, instant);
    }

    function stopFollow() {
      if (!follow) return;
      follow = false;
      followBtn.hidden = curS < 0;
    }

    function resumeFollow() {
      follow = true;
      followBtn.hidden = true;
    }

    window.addEventListener('scrollend', function () { autoScrollUntil = 0; });
    window.addEventListener('scroll', function () {
      if (performance.now() > autoScrollUntil) stopFollow();
    }, { passive: true });
    // A wheel or a swipe over the page (not over the sidebar, which scrolls
    // on its own, nor over the player bar) is the reader scrolling away.
    function readerScrolls(ev) {
      if (ev.target.closest && ev.target.closest('.side, .player')) return;
      stopFollow();
    }
    window.addEventListener('wheel', readerScrolls, { passive: true });
    window.addEventListener('touchmove', readerScrolls, { passive: true });
    followBtn.addEventListener('click', function () {
      resumeFollow();
      revealNow(true);
    });

    // The audio element's events drive the display.
    audio.addEventListener('loadedmetadata', function () {
      if (pending !== null) {
        audio.currentTime = pending;
        pending = null;
      }
      timeTotal.textContent = clock(total());
      seek.max = String(total());
      placeTicks();
      update(audio.currentTime);
    });
    audio.addEventListener('play', function () {
      root.classList.add('is-playing');
      playBtn.setAttribute('aria-label', 'Pause');
      playBtn.title = 'Pause (K or space)';
      if (follow) revealNow(false);
      if (!raf) raf = requestAnimationFrame(loop);
    });
    audio.addEventListener('pause', function () {
      root.classList.remove('is-playing');
      playBtn.setAttribute('aria-label', 'Play');
      playBtn.title = 'Play (K or space)';
      update(audio.currentTime);
      save(audio.currentTime);
    });
    audio.addEventListener('timeupdate', function () {
      if (pending !== null) return;
      update(audio.currentTime);
      var t = performance.now();
      if (t - lastSave > 1000) {
        lastSave = t;
        save(audio.currentTime);
      }
    });
    audio.addEventListener('seeked', function () {
      if (pending === null) {
        update(audio.currentTime);
        save(audio.currentTime);
      }
    });
    audio.addEventListener('ended', function () {
      if (store) {
        try { store.removeItem(posKey); } catch (e) { /* denied */ }
      }
      announce('End of the episode.');
    });
    audio.addEventListener('error', function () {
      say('The audio could not be loaded. The MP3 link above downloads it.');
    });
    function savePosition() { save(now()); }
    window.addEventListener('pagehide', savePosition);
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') savePosition();
    });

    // Controls.
    playBtn.addEventListener('click', togglePlay);
    document.getElementById('back').addEventListener('click', function () { skip(-BACK); });
    document.getElementById('fwd').addEventListener('click', function () { skip(FORWARD); });
    rateSel.addEventListener('change', function () { setRate(parseFloat(rateSel.value)); });
    seek.addEventListener('pointerdown', function () { scrubbing = true; });
    window.addEventListener('pointerup', function () { scrubbing = false; });
    seek.addEventListener('input', function () { seekTo(parseFloat(seek.value)); });
    seek.addEventListener('change', function () { scrubbing = false; });
    seek.addEventListener('keydown', function (ev) {
      var by = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -30, PageUp: 30 }[ev.key];
      if (ev.key === 'Home') { seekTo(0); } else if (ev.key === 'End') { seekTo(total()); } else if (by) { skip(by); } else { return; }
      ev.preventDefault();
      ev.stopPropagation();
    });
    document.getElementById('share').addEventListener('click', function () {
      var hash = curS >= 0 ? '#' + sentEls[curS].id : '#t=' + Math.floor(now());
      var url = location.origin + location.pathname + hash;
      copyText(url).then(function (ok) {
        if (ok) {
          say(curS >= 0 ? 'Link to this sentence copied' : 'Link to this moment copied');
        } else {
          history.replaceState(null, '', hash);
          say('The address bar now links to this sentence');
        }
      });
    });

    function placeTicks() {
      var d = total();
      Array.prototype.forEach.call(root.querySelectorAll('.seek-ticks span[data-b]'), function (tick) {
        tick.style.setProperty('left', (parseFloat(tick.getAttribute('data-b')) / d * 100) + '%');
      });
    }
    placeTicks();

    // timeOf reads the time a link points at: "#t=…" in its URL.
    function timeOf(href) {
      var i = href.indexOf('#');
      return i < 0 ? NaN : timeOfHash(href.slice(i));
    }

    // timeOfHash reads a deep link: #t=SECONDS (or npt:h:mm:ss, a media
    // fragment), #s-… (a sentence's permalink), or #chapter-N.
    function timeOfHash(hash) {
      var h;
      try { h = decodeURIComponent(hash.replace(/^#/, '')); } catch (e) { return NaN; }
      var m = /^t=(?:npt:)?([\d:.]+)/.exec(h);
      if (m) return parseClock(m[1]);
      var el = h && document.getElementById(h);
      if (!el) return NaN;
      if (el.matches('.s[data-b]')) return parseFloat(el.getAttribute('data-b'));
      m = /^chapter-(\d+)$/.exec(h);
      if (m && chapterLinks[m[1] - 1]) return cStart[m[1] - 1];
      return NaN;
    }

    // Clicking a word seeks to it; clicking elsewhere in a sentence, to the
    // sentence; a paragraph's time link, to the paragraph. Selecting text
    // does not seek.
    transcript.addEventListener('click', function (ev) {
      var link = ev.target.closest('a.t');
      var t;
      if (link) {
        t = timeOf(link.getAttribute('href'));
        if (isNaN(t)) return;
        ev.preventDefault();
      } else {
        var sel = window.getSelection && window.getSelection();
        if (sel && !sel.isCollapsed && String(sel).trim()) return;
        var el = ev.target.closest('.s > span[data-b]') || ev.target.closest('.s[data-b]');
        if (!el) return;
        t = parseFloat(el.getAttribute('data-b'));
      }
      resumeFollow();
      seekTo(t);
    });

    chapterLinks.forEach(function (a, i) {
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        resumeFollow();
        seekTo(cStart[i]);
        revealNow(true);
      });
    });

    // Keyboard: space or K plays and pauses, J/L or the arrows skip, < and >
    // change the speed, N and P move by chapter, / searches. Keys typed into
    // a field are the field's, and space or Enter on a button or link is
    // that button's or link's.
    document.addEventListener('keydown', function (ev) {
      if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      var target = ev.target;
      if (target.closest && target.closest('input, textarea, select, [contenteditable]')) return;
      var onControl = target.closest && target.closest('button, a, summary');
      switch (ev.key) {
        case ' ':
        case 'Spacebar':
          if (onControl) return;
          togglePlay();
          break;
        case 'k': case 'K': togglePlay(); break;
        case 'j': case 'J': case 'ArrowLeft': skip(-BACK); break;
        case 'l': case 'L': case 'ArrowRight': skip(FORWARD); break;
        case '<': stepRate(-1); break;
        case '>': stepRate(1); break;
        case 'n': case 'N': goChapter(1); break;
        case 'p': case 'P': goChapter(-1); break;
        case '/':
          if (!search) return;
          document.getElementById('q').focus();
          break;
        default: return;
      }
      ev.preventDefault();
    });

    if (search) initSearch();

    // Search lists the sentences that contain the query, with their times;
    // choosing one seeks to the word where the match begins.
    function initSearch() {
      var q = document.getElementById('q');
      var status = document.getElementById('search-status');
      var results = document.getElementById('results');
      var MAX = 50;
      var folded = sentEls.map(function (el) { return fold(el.textContent); });
      var marked = [];
      var timer = 0;

      // fold lowercases and strips accents and typographic quotes, keeping
      // for each folded character the index of its original one.
      function fold(text) {
        var out = '', map = [];
        for (var i = 0; i < text.length; i++) {
          var c = text[i];
          var f = c.normalize ? c.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : c;
          f = f.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'").replace(/[\u201c\u201d]/g, '"').replace(/[\u2013\u2014]/g, '-');
          for (var k = 0; k < f.length; k++) { out += f[k]; map.push(i); }
        }
        map.push(text.length);
        return { text: out, map: map };
      }

      function run() {
        var query = fold(q.value.trim().replace(/\s+/g, ' ')).text;
        results.textContent = '';
        marked.forEach(function (el) { el.classList.remove('is-match'); });
        marked = [];
        if (query.length < 2) {
          status.textContent = q.value.trim() ? 'Type at least two letters' : '';
          return;
        }
        var count = 0;
        var frag = document.createDocumentFragment();
        folded.forEach(function (f, i) {
          var at = f.text.indexOf(query);
          if (at < 0) return;
          count++;
          sentEls[i].classList.add('is-match');
          marked.push(sentEls[i]);
          if (count <= MAX) frag.appendChild(result(i, f.map[at], f.map[at + query.length]));
        });
        results.appendChild(frag);
        status.textContent = count === 0 ? 'No sentence matches' :
          (count === 1 ? '1 sentence matches' : count + ' sentences match') + (count > MAX ? ', the first ' + MAX + ' are listed' : '');
      }

      function result(i, from, to) {
        var text = sentEls[i].textContent;
        var words = sentEls[i].querySelectorAll('span[data-b]');
        var t = sStart[i], offset = 0;
        for (var k = 0; k < words.length; k++) {
          if (offset > from) break;
          t = parseFloat(words[k].getAttribute('data-b'));
          offset += words[k].textContent.length + 1;
        }
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
          resumeFollow();
          seekTo(t);
          reveal(sentEls[i], true);
        });
        li.appendChild(b);
        return li;
      }

      q.addEventListener('input', function () {
        clearTimeout(timer);
        timer = setTimeout(run, 120);
      });
      q.addEventListener('keydown', function (ev) {
        if (ev.key === 'Escape') {
          q.value = '';
          run();
        } else if (ev.key === 'Enter') {
          clearTimeout(timer);
          run();
          var first = results.querySelector('button');
          if (first) first.click();
        }
      });
    }

    // Lock screens and headsets: the Media Session API.
    if ('mediaSession' in navigator && window.MediaMetadata) {
      try {
        navigator.mediaSession.metadata = new MediaMetadata({
          title: root.getAttribute('data-title'),
          artist: root.getAttribute('data-show'),
          album: root.getAttribute('data-show'),
          artwork: [{ src: root.getAttribute('data-cover'), type: 'image/jpeg' }]
        });
        navigator.mediaSession.setActionHandler('seekbackward', function () { skip(-BACK); });
        navigator.mediaSession.setActionHandler('seekforward', function () { skip(FORWARD); });
        navigator.mediaSession.setActionHandler('previoustrack', function () { goChapter(-1); });
        navigator.mediaSession.setActionHandler('nexttrack', function () { goChapter(1); });
      } catch (e) { /* an action this browser does not know */ }
    }

    // Start: the speed the listener chose last, then a deep link, or else
    // the position this episode was left at.
    var savedRate = store && parseFloat(store.getItem(rateKey));
    if (savedRate && RATES.indexOf(savedRate) >= 0) setRate(savedRate);
    var linked = timeOfHash(location.hash);
    if (!isNaN(linked)) {
      seekTo(linked);
      revealNow(true, true);
    } else {
      var saved = store && parseFloat(store.getItem(posKey));
      if (saved > 0 && saved < total()) {
        seekTo(saved);
        say('Resumed at ' + clock(saved));
      } else {
        update(0);
      }
    }
    window.addEventListener('hashchange', function () {
      var t = timeOfHash(location.hash);
      if (isNaN(t)) return;
      resumeFollow();
      seekTo(t);
      revealNow(true);
    });
    started = true;
  }
})();
