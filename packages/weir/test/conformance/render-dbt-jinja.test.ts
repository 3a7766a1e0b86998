import { describe, expect, it } from 'vitest';
import { readDocBlocks, renderDbtJinja } from './render-dbt-jinja.js';

describe('renderDbtJinja (the jaffle_shop subset)', () => {
  it('turns ref() into the plain name and drops comments', () => {
    expect(renderDbtJinja("{#- seeds -#}\nselect * from {{ ref('raw_orders') }}")).toBe('select * from raw_orders');
  });

  it('expands set + for with whitespace control as Jinja does', () => {
    const template = "{% set ms = ['a', \"b\"] %}select\n  {% for m in ms -%}\n  x_{{ m }},\n  {% endfor -%}\n  total";
    expect(renderDbtJinja(template)).toBe('select\n  x_a,\n  x_b,\n  total');
  });

  it('resolves doc() from doc blocks', () => {
    const docs = readDocBlocks('{% docs status %}\nOne of: placed, shipped\n{% enddocs %}');
    expect(renderDbtJinja('{{ doc("status") }}', { docs })).toBe('One of: placed, shipped');
  });

  it('refuses what it does not handle instead of rendering it wrong', () => {
    expect(() => renderDbtJinja('{% if x %}a{% endif %}')).toThrow(/unsupported Jinja statement/);
    expect(() => renderDbtJinja("{{ source('a', 'b') }}")).toThrow(/unsupported Jinja expression/);
    expect(() => renderDbtJinja("{% set xs = ['a'] %}{% for x in xs %}{{ x }}")).toThrow(/never closed/);
  });
});
