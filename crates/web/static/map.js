// 统计地图: the areas (grid polygons, GeoJSON from /api/v1/stats/map) registered as an
// ECharts map and coloured by 受理量 through a visualMap, the cases as points on the same geo
// coordinate system. Nothing is loaded from outside: no tiles, no fonts. Clicking an area
// opens its cases (/cases?under=<id>&from=&to=…); clicking a point opens the case.
(function () {
  'use strict';
  var box = document.getElementById('chart-map');
  var status = document.getElementById('map-status');
  if (!box || !window.echarts) return;
  var OPEN = { registered: 1, triage: 1, assigned: 1, in_progress: 1, resolved: 1, verifying: 1 };
  var narrow = function () { return window.matchMedia('(max-width: 720px)').matches; };
  var say = function (t) { if (status) status.textContent = t; };

  function draw(d) {
    var fc = d.units || { type: 'FeatureCollection', features: [] };
    if (!fc.features || fc.features.length === 0) {
      say('该单位下没有绘制边界的区域，无法显示地图。');
      box.classList.add('empty');
      return;
    }
    // Full names ("新华社区 第1网格") from the page, when it gives them.
    var names = {};
    var holder = document.getElementById('map-names');
    try {
      names = JSON.parse((holder && holder.textContent) || '{}');
    } catch (e) {
      names = {};
    }
    var byKey = {};
    fc.features.forEach(function (f) {
      var p = f.properties || {};
      p.key = String(p.id);
      if (names[p.key]) p.name = names[p.key];
      f.properties = p;
      byKey[p.key] = p;
    });
    window.echarts.registerMap('zz-areas', fc);
    var max = 1;
    var areas = fc.features.map(function (f) {
      var p = f.properties;
      if (p.received > max) max = p.received;
      return { name: p.key, value: p.received || 0 };
    });
    var open = [];
    var closed = [];
    (d.points || []).forEach(function (p) {
      var item = { name: p.tracking_no, value: [p.lng, p.lat], id: p.id, title: p.title };
      (OPEN[p.status] ? open : closed).push(item);
    });
    var chart = window.echarts.init(box, null, { locale: 'ZH', renderer: 'canvas' });
    var small = narrow();
    // Drawn once, then marked ready (tests and screenshots wait for it).
    chart.on('finished', function () {
      box.setAttribute('data-ready', 'true');
    });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: 'item',
        confine: true,
        // Drawn on the canvas: the CSP allows no inline styles for an HTML tooltip.
        renderMode: 'richText',
        formatter: function (p) {
          if (p.seriesType === 'scatter') {
            return (p.data.title || '') + '\n' + p.name;
          }
          var a = byKey[p.name];
          if (!a) return '';
          return a.name + '\n受理 ' + (a.received || 0) + ' 件 · 在办 ' + (a.open || 0) +
            ' · 超期 ' + (a.overdue || 0) + '\n点击查看事件';
        }
      },
      geo: {
        map: 'zz-areas',
        nameProperty: 'key',
        roam: true,
        scaleLimit: { min: 0.8, max: 12 },
        // Centre and size keep the areas' proportions at any width.
        layoutCenter: ['50%', small ? '46%' : '47%'],
        layoutSize: small ? '96%' : '88%',
        label: { show: false },
        itemStyle: { borderColor: '#ffffff', borderWidth: 0.6, areaColor: '#eef2f7' },
        emphasis: { label: { show: false }, itemStyle: { areaColor: '#ffd8a8', borderColor: '#b71c1c', borderWidth: 1 } },
        select: { disabled: true },
        tooltip: { show: true }
      },
      visualMap: {
        type: 'continuous',
        min: 0,
        max: max,
        seriesIndex: 0,
        orient: 'horizontal',
        left: small ? 'center' : 10,
        bottom: 4,
        itemWidth: 12,
        itemHeight: small ? 120 : 160,
        text: ['受理多', '少'],
        calculable: true,
        inRange: { color: ['#fff5f0', '#fcbba1', '#fb6a4a', '#cb181d', '#67000d'] }
      },
      // On a phone the legend under the map says what the points are.
      legend: { show: !small, data: ['在办事件', '已结案事件'], right: 10, top: 4 },
      series: [
        { name: '受理量', type: 'map', geoIndex: 0, data: areas },
        { name: '在办事件', type: 'scatter', coordinateSystem: 'geo', data: open, symbolSize: 6,
          itemStyle: { color: '#1d5fbf', borderColor: '#ffffff', borderWidth: 0.5 } },
        { name: '已结案事件', type: 'scatter', coordinateSystem: 'geo', data: closed, symbolSize: 5,
          itemStyle: { color: '#2f9e44', opacity: 0.75 } }
      ]
    });
    var base = box.getAttribute('data-cases') || '/cases?';
    chart.on('click', function (p) {
      if (p.seriesType === 'scatter' && p.data && p.data.id) {
        window.location.href = '/cases/' + encodeURIComponent(p.data.id);
        return;
      }
      var a = byKey[p.name];
      if (a) {
        window.location.href = base + (base.indexOf('?') >= 0 ? '&' : '?') + 'under=' + encodeURIComponent(a.id);
      }
    });
    var timer = null;
    window.addEventListener('resize', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { chart.resize(); }, 120);
    });
    var note = open.length + closed.length + ' 个事件点';
    if (d.points_truncated) note += '（仅显示最新的部分事件）';
    say(fc.features.length + ' 个区域 · ' + note);
  }

  fetch(box.getAttribute('data-api'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    })
    .then(draw)
    .catch(function () {
      say('地图数据加载失败，请刷新页面重试。');
    });
})();
