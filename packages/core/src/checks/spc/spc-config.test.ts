import { describe, expect, it } from 'vitest';
import { isWeirError } from '../../errors/weir-error.js';
import { SPC_MONITOR_DEFAULTS, defaultSpcConfig, monitorSpcConfig, type SpcConfigInput } from './spc-config.js';

describe('spc settings', () => {
  it('has the defaults of issue #3', () => {
    expect(defaultSpcConfig()).toEqual({
      baselinePoints: 20,
      minPoints: 8,
      rules: { 1: true, 2: true, 3: true, 4: true },
      absoluteFloor: 0,
      relativeFloor: 0.1,
      direction: 'both',
      seasonality: 'none',
      timeZone: 'UTC',
    });
  });

  it('takes overrides one by one, rules too, and ignores undefined values', () => {
    const config = defaultSpcConfig({ rules: { 4: false }, absoluteFloor: 5, minPoints: undefined });
    expect(config.rules).toEqual({ 1: true, 2: true, 3: true, 4: false });
    expect(config.absoluteFloor).toBe(5);
    expect(config.minPoints).toBe(8);
  });

  it('gives each built-in monitor its floors, under a person\'s overrides', () => {
    expect(monitorSpcConfig('volume')).toMatchObject({ relativeFloor: 0.1, absoluteFloor: 0, direction: 'both' });
    expect(monitorSpcConfig('freshness')).toMatchObject({ absoluteFloor: 1, relativeFloor: 0.5, direction: 'increase' });
    expect(monitorSpcConfig('rate')).toMatchObject({ absoluteFloor: 0.01, relativeFloor: 0.1 });
    expect(monitorSpcConfig('measure')).toEqual(defaultSpcConfig());
    expect(monitorSpcConfig('freshness', { absoluteFloor: 2, rules: { 3: false } })).toMatchObject({ absoluteFloor: 2, direction: 'increase', rules: { 3: false, 4: true } });
    expect(Object.keys(SPC_MONITOR_DEFAULTS)).toEqual(['volume', 'freshness', 'rate', 'measure']);
  });

  it.each([
    [{ minPoints: 1 }, 'spc setting "minPoints" must be a whole number of at least 2 (got 1)'],
    [{ minPoints: 10, baselinePoints: 9 }, 'spc setting "baselinePoints" must be a whole number of at least minPoints (10) (got 9)'],
    [{ baselinePoints: 20.5 }, 'spc setting "baselinePoints" must be a whole number of at least minPoints (8) (got 20.5)'],
    [{ absoluteFloor: -1 }, 'spc setting "absoluteFloor" must be a number >= 0 (got -1)'],
    [{ relativeFloor: Number.NaN }, 'spc setting "relativeFloor" must be a number >= 0 (got NaN)'],
    [{ direction: 'up' }, 'spc setting "direction" must be one of both, increase, decrease (got "up")'],
    [{ seasonality: 'weekly' }, 'spc setting "seasonality" must be one of none, day_of_week (got "weekly")'],
    [{ rules: { 5: true } }, 'spc setting "rules.5" must be one of the rules 1, 2, 3, 4 (got "5")'],
    [{ rules: { 2: 'yes' } }, 'spc setting "rules.2" must be true or false (got "yes")'],
    [{ timeZone: 'Mars/Olympus' }, 'spc setting "timeZone" must be an IANA time zone such as "UTC" or "Europe/Berlin" (got "Mars/Olympus")'],
  ])('refuses %j with CONFIG_INVALID', (input, message) => {
    try {
      defaultSpcConfig(input as SpcConfigInput);
      expect.unreachable();
    } catch (error) {
      expect(isWeirError(error) && [error.code, error.message]).toEqual(['CONFIG_INVALID', message]);
    }
  });
});
