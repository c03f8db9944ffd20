// 统计总图: the trend line and the category/channel charts, drawn with the embedded ECharts
// from the JSON the server put in <script type="application/json" id="stats-data">. The
// figures themselves are already in the page as links; every chart element links to the
// cases behind it too.
(function () {
  'use strict';
  var holder = document.getElementById('stats-data');
  if (!holder || !window.echarts) return;
  var data;
  try {
    data = JSON.parse(holder.textContent || '{}');
  } catch (e) {
    return;
  }
  var charts = [];
  var narrow = function () { return window.matchMedia('(max-width: 720px)').matches; };
  var COLORS = { received: '#1d5fbf', closed: '#1b7f3b', overdue: '#c62828' };
  var PALETTE = ['#1d5fbf', '#e8590c', '#1b7f3b', '#b71c1c', '#6a3fb5', '#0b7285', '#b26a00', '#5c6b7a', '#c2255c', '#2b8a3e'];

  // body[data-charts-ready] once every chart has drawn (tests wait for it).
  var drawn = 0;
  var created = false;
  function ready() {
    if (created && drawn === charts.length) document.body.setAttribute('data-charts-ready', 'true');
  }

  function init(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    var c = window.echarts.init(el, null, { locale: 'ZH', renderer: 'canvas' });
    charts.push(c);
    var first = true;
    c.on('finished', function () {
      if (!first) return;
      first = false;
      drawn += 1;
      ready();
    });
    c.on('click', function (p) {
      if (p && p.data && p.data.href) window.location.href = p.data.href;
    });
    return c;
  }

  function trend() {
    var c = init('chart-trend');
    if (!c) return;
    var line = function (name, key) {
      return {
        name: name,
        type: 'line',
        data: data[key] || [],
        smooth: false,
        symbol: 'circle',
        symbolSize: 5,
        showSymbol: (data.labels || []).length <= 62,
        lineStyle: { width: 2 },
        itemStyle: { color: COLORS[key] },
        emphasis: { focus: 'series' },
        cursor: 'pointer'
      };
    };
    c.setOption({
      color: [COLORS.received, COLORS.closed, COLORS.overdue],
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { top: 0, data: ['受理', '办结', '超期'] },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: data.labels || [], boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [line('受理', 'received'), line('办结', 'closed'), line('超期', 'overdue')]
    });
  }

  function bars() {
    var rows = (data.category || []).slice(0, 12);
    var el = document.getElementById('chart-category');
    if (!el || rows.length === 0) return;
    el.style.height = Math.max(160, rows.length * 30 + 30) + 'px';
    var c = init('chart-category');
    var items = rows.slice().reverse().map(function (r, i) {
      return { value: r.value, href: r.href, name: r.name, itemStyle: { color: PALETTE[(rows.length - 1 - i) % PALETTE.length] } };
    });
    c.setOption({
      tooltip: { trigger: 'item', renderMode: 'richText', formatter: function (p) { return p.name + '：' + p.value + ' 件（点击查看）'; } },
      grid: { left: 8, right: 40, top: 4, bottom: 4, containLabel: true },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { show: !narrow() } },
      yAxis: { type: 'category', data: items.map(function (x) { return x.name; }), axisTick: { show: false },
        axisLabel: { width: narrow() ? 84 : 130, overflow: 'truncate' } },
      series: [{ type: 'bar', data: items, barMaxWidth: 18, cursor: 'pointer',
        label: { show: true, position: 'right', color: '#394b59' } }]
    });
  }

  function pie() {
    var rows = data.channel || [];
    if (rows.length === 0) return;
    var c = init('chart-channel');
    if (!c) return;
    c.setOption({
      color: PALETTE,
      tooltip: { trigger: 'item', renderMode: 'richText', formatter: function (p) { return p.name + '：' + p.value + ' 件（' + p.percent + '%）'; } },
      legend: { type: narrow() ? 'plain' : 'scroll', bottom: 0, left: 'center', itemWidth: 14, itemHeight: 10 },
      series: [{
        type: 'pie',
        radius: narrow() ? ['22%', '56%'] : ['36%', '64%'],
        center: ['50%', narrow() ? '38%' : '44%'],
        data: rows,
        cursor: 'pointer',
        avoidLabelOverlap: true,
        // On a phone the legend and the table name the slices; outside labels would not fit.
        label: narrow() ? { show: true, position: 'inside', fontSize: 11, color: '#fff',
          formatter: function (p) { return Math.round(p.percent) + '%'; } }
          : { formatter: '{b}\n{d}%', fontSize: 12 },
        labelLine: { show: !narrow() },
        minShowLabelAngle: narrow() ? 24 : 6
      }]
    });
  }

  // 另有 N 项: unfold the rest of a breakdown table in place (without JS the link's
  // :target does it).
  Array.prototype.forEach.call(document.querySelectorAll('a[data-more]'), function (a) {
    a.addEventListener('click', function (e) {
      var rows = document.getElementById(a.getAttribute('data-more'));
      if (!rows) return;
      e.preventDefault();
      rows.classList.add('open');
      a.parentNode.hidden = true;
    });
  });

  trend();
  bars();
  pie();
  created = true;
  ready();
  var timer = null;
  window.addEventListener('resize', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 120);
  });
})();
