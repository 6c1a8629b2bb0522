// ClusterLab's script include. Each embedded playground is an <iframe> of this site with
// ?embed=1, so it runs in its own frame and cannot touch the page.
//
//   <script src="https://YOUR-SITE/embed.js" defer></script>
//
// 1. Markup: every <div data-clusterlab ...> and <cluster-lab ...> becomes a playground.
//
//   <div data-clusterlab data-scenario="seed-failover" data-height="640"></div>
//   <div data-clusterlab data-exercise="slots-and-redirection" data-autoplay></div>
//   <cluster-lab scenario="three-plus-three" speed="10" panels="terminal,topology" readonly></cluster-lab>
//
//   Attributes (with or without "data-"): scenario (a built-in scenario's name), exercise (an
//   exercise's name), seed, speed, panels (comma-separated), readonly, autoplay, height (CSS
//   pixels, 160-4000), title. They go to the playground as URL parameters, which it checks: a
//   bad value shows a clear error inside the frame.
//
// 2. JavaScript: ClusterLab.mount(target, options) returns a handle.
//
//   var lab = ClusterLab.mount('#demo', {
//     scenarioText: '$ redis-server --port 7000 --cluster-enabled yes --daemonize yes\n',
//     seed: 7, speed: 10, panels: ['terminal', 'topology'], readOnly: true, height: 480,
//   });
//   lab.on('output', function (e) { console.log(e.line, e.output); });
//   lab.run('redis-cli -p 7000 CLUSTER INFO');
//   lab.play(); lab.pause(); lab.reset(); lab.destroy();
//
//   Options (all optional): scenario, scenarioText, exercise (at most one of the three), seed,
//   speed (0.01, 0.1, 0.25, 0.5, 1, 2, 5, 10, 100), panels (an array of names), readOnly,
//   autoplay; height and title are for the frame. Events: ready, state, output,
//   node-promoted, exercise-completed, error (see docs/embedding.md for their fields).
//   Calls made before the frame is ready wait for it.
(function () {
  'use strict';
  var here = document.currentScript ? document.currentScript.src : window.location.href;
  var base = new URL('./', here);
  var EVENTS = ['ready', 'state', 'output', 'node-promoted', 'exercise-completed', 'error'];

  function attr(el, name) {
    var v = el.getAttribute('data-' + name);
    return v !== null ? v : el.getAttribute(name);
  }

  function frameFor(el, query, height, title) {
    if (!(height >= 160 && height <= 4000)) height = 560;
    var frame = document.createElement('iframe');
    frame.src = new URL('?' + query.toString(), base).href;
    frame.title = title || 'ClusterLab: a simulated Redis cluster';
    frame.style.width = '100%';
    frame.style.height = height + 'px';
    frame.style.border = '0';
    el.textContent = '';
    el.appendChild(frame);
    el.setAttribute('data-clusterlab-mounted', '1');
    return frame;
  }

  // Markup: the attributes become URL parameters.
  function mountElement(el) {
    if (el.getAttribute('data-clusterlab-mounted')) return;
    var params = new URLSearchParams();
    params.set('embed', '1');
    [['scenario', 'preset'], ['exercise', 'exercise'], ['seed', 'seed'], ['speed', 'speed'],
      ['panels', 'panels']].forEach(function (pair) {
      var v = attr(el, pair[0]);
      if (v) params.set(pair[1], v);
    });
    if (attr(el, 'readonly') !== null) params.set('readonly', '1');
    if (attr(el, 'autoplay') !== null) params.set('play', '1');
    var frame = frameFor(el, params, parseInt(attr(el, 'height') || '560', 10), attr(el, 'title'));
    frame.setAttribute('loading', 'lazy');
  }

  // JavaScript: a frame driven by messages. The options object goes to the frame as it is
  // (without height and title), where it is checked.
  function mount(target, options) {
    var el = typeof target === 'string' ? document.querySelector(target) : target;
    if (!el) throw new Error('ClusterLab.mount: no element ' + target);
    options = options || {};
    var frameOptions = {};
    Object.keys(options).forEach(function (k) {
      if (k !== 'height' && k !== 'title') frameOptions[k] = options[k];
    });
    var frame = frameFor(el, new URLSearchParams('embed=1'), options.height || 560, options.title);
    var origin = base.origin;
    var handlers = {};
    var queue = [];
    var ready = false;
    var resolveReady;
    var readyPromise = new Promise(function (resolve) { resolveReady = resolve; });

    function send(msg) {
      if (!ready) { queue.push(msg); return; }
      frame.contentWindow.postMessage(msg, origin);
    }
    function emit(type, data) {
      (handlers[type] || []).slice().forEach(function (fn) { fn(data); });
    }
    function onMessage(e) {
      // Only this frame's own messages, from this site.
      if (e.source !== frame.contentWindow || e.origin !== origin) return;
      var data = e.data;
      if (!data || typeof data.type !== 'string' || data.type.indexOf('clusterlab:') !== 0) return;
      var type = data.type.slice('clusterlab:'.length);
      if (type === 'ready') {
        // A reloaded frame is set up again with the same options.
        frame.contentWindow.postMessage({ type: 'clusterlab:mount', options: frameOptions }, origin);
        if (!ready) {
          ready = true;
          queue.splice(0).forEach(send);
          resolveReady(handle);
        }
      }
      emit(type, data);
    }
    window.addEventListener('message', onMessage);

    var handle = {
      frame: frame,
      ready: readyPromise,
      run: function (line) { send({ type: 'clusterlab:run', line: String(line) }); return handle; },
      play: function () { send({ type: 'clusterlab:play' }); return handle; },
      pause: function () { send({ type: 'clusterlab:pause' }); return handle; },
      reset: function () { send({ type: 'clusterlab:reset' }); return handle; },
      on: function (type, fn) {
        if (EVENTS.indexOf(type) < 0) throw new Error('ClusterLab: no event ' + type + '; the events are ' + EVENTS.join(', '));
        (handlers[type] = handlers[type] || []).push(fn);
        return handle;
      },
      off: function (type, fn) {
        handlers[type] = (handlers[type] || []).filter(function (f) { return f !== fn; });
        return handle;
      },
      destroy: function () {
        window.removeEventListener('message', onMessage);
        frame.remove();
        el.removeAttribute('data-clusterlab-mounted');
      },
    };
    return handle;
  }

  window.ClusterLab = { mount: mount, events: EVENTS.slice() };

  function mountAll() {
    document.querySelectorAll('[data-clusterlab]').forEach(mountElement);
  }

  if (window.customElements && !window.customElements.get('cluster-lab')) {
    window.customElements.define('cluster-lab', class extends HTMLElement {
      connectedCallback() { mountElement(this); }
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', mountAll);
  } else {
    mountAll();
  }
})();
