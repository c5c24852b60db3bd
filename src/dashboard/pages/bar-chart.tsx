// A grouped bar chart as server-rendered SVG: no script, no network, styled by app.css
// classes (series colours), readable by screen readers through its title and
// description, each bar's own <title>, and the same numbers as a table beneath.
import { numbers } from './campaign-parts';

/** One series of a chart: its name, a CSS class (its colour) and a value per group. */
export type ChartSeries = { name: string; className: string; values: number[] };

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 44 };

/** A round axis top at or above `max` (1, 2 or 5 times a power of ten). */
function axisTop(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].map((step) => step * power).find((top) => top >= max) ?? 10 * power) as number;
}

/**
 * The chart: one group of bars per label, one bar per series. `labelEvery` thins the
 * x-axis labels (every label stays in the table). `id` makes the title and description ids unique on the page.
 */
export function BarChart({
  id,
  title,
  description,
  groupName,
  labels,
  series,
  labelEvery = 1,
}: {
  id: string;
  title: string;
  description: string;
  // What a group is, heading the table's first column ("Week", "Hour").
  groupName: string;
  labels: string[];
  series: ChartSeries[];
  labelEvery?: number;
}) {
  const top = axisTop(Math.max(0, ...series.flatMap((s) => s.values)));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const groupWidth = plotWidth / Math.max(labels.length, 1);
  const barWidth = Math.max(1, (groupWidth * 0.8) / series.length);
  const y = (value: number) => PAD.top + plotHeight - (value / top) * plotHeight;
  return (
    <figure class="chart" id={id}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} class="chart-svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {[0, top / 2, top].map((tick) => (
          <g class="chart-grid">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text x={PAD.left - 6} y={y(tick) + 4} text-anchor="end">
              {numbers.format(tick)}
            </text>
          </g>
        ))}
        {labels.map((label, group) => {
          const x0 = PAD.left + group * groupWidth + groupWidth * 0.1;
          return (
            <g>
              {series.map((s, index) => {
                const value = s.values[group] ?? 0;
                return (
                  <rect class={`chart-bar ${s.className}`} x={x0 + index * barWidth} y={y(value)} width={barWidth} height={Math.max(0, PAD.top + plotHeight - y(value))}>
                    <title>{`${label}: ${numbers.format(value)} ${s.name.toLowerCase()}`}</title>
                  </rect>
                );
              })}
              {group % labelEvery === 0 ? (
                <text class="chart-label" x={x0 + (barWidth * series.length) / 2} y={HEIGHT - 8} text-anchor="middle">
                  {label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption class="chart-legend">
        {series.map((s) => (
          <span class="chart-key">
            <span class={`chart-swatch ${s.className}`} aria-hidden="true" />
            {s.name}
          </span>
        ))}
      </figcaption>
      <details class="chart-table">
        <summary>The numbers as a table</summary>
        <table class="table">
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{groupName}</th>
              {series.map((s) => (
                <th scope="col" class="num">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, group) => (
              <tr>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td class="num">{numbers.format(s.values[group] ?? 0)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
