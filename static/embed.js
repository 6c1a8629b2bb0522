// ClusterLab's script include: turns every <div data-clusterlab ...> (and <cluster-lab ...>)
// into an embedded playground, an <iframe> of this site with ?embed=1.
//
//   <script src="https://YOUR-SITE/embed.js" defer></script>
//   <div data-clusterlab data-scenario="seed-failover" data-height="640"></div>
//   <div data-clusterlab data-exercise="slots-and-redirection" data-autoplay></div>
//   <cluster-lab scenario="three-plus-three"></cluster-lab>
//
// Attributes (with or without "data-"): scenario (a preset's name), exercise (an exercise's
// name), autoplay (the clock runs from the start), height (CSS pixels, 160-4000), title.
// Values go to the playground as URL parameters, which it checks: a bad name shows a clear
// error inside the frame.
(function () {
  'use strict';
  var here = document.currentScript ? document.currentScript.src : window.location.href;
  var base = new URL('./', here);

  function attr(el, name) {
    var v = el.getAttribute('data-' + name);
    return v !== null ? v : el.getAttribute(name);
  }

  function mount(el) {
    if (el.getAttribute('data-clusterlab-mounted')) return;
    var params = new URLSearchParams();
    params.set('embed', '1');
    var scenario = attr(el, 'scenario');
    if (scenario) params.set('preset', scenario);
    var exercise = attr(el, 'exercise');
    if (exercise) params.set('exercise', exercise);
    if (attr(el, 'autoplay') !== null) params.set('play', '1');
    var height = parseInt(attr(el, 'height') || '560', 10);
    if (!(height >= 160 && height <= 4000)) height = 560;
    var frame = document.createElement('iframe');
    frame.src = new URL('?' + params.toString(), base).href;
    frame.title = attr(el, 'title') || 'ClusterLab: a simulated Redis cluster';
    frame.style.width = '100%';
    frame.style.height = height + 'px';
    frame.style.border = '0';
    frame.setAttribute('loading', 'lazy');
    el.textContent = '';
    el.appendChild(frame);
    el.setAttribute('data-clusterlab-mounted', '1');
  }

  function mountAll() {
    document.querySelectorAll('[data-clusterlab]').forEach(mount);
  }

  if (window.customElements && !window.customElements.get('cluster-lab')) {
    window.customElements.define('cluster-lab', class extends HTMLElement {
      connectedCallback() { mount(this); }
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', mountAll);
  } else {
    mountAll();
  }
})();
