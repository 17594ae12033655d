import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import type { CircuitState } from './circuit-breaker.js';

function breaker(failureThreshold = 3, openMs = 1_000) {
  let now = 0;
  const changes: CircuitState[] = [];
  const subject = new CircuitBreaker({
    failureThreshold,
    openMs,
    now: () => now,
    onStateChange: (state) => changes.push(state),
  });
  return { subject, changes, advance: (ms: number) => (now += ms) };
}

describe('circuit breaker', () => {
  it('opens after the threshold of failures in a row, and refuses calls while open', () => {
    const { subject, changes } = breaker(3);
    for (let i = 0; i < 2; i++) {
      expect(subject.admit()).toEqual({ allowed: true, probe: false });
      subject.recordFailure(false);
    }
    expect(subject.state).toBe('closed');
    subject.recordFailure(false);
    expect(subject.state).toBe('open');
    expect(subject.admit()).toEqual({ allowed: false, retryAfterMs: 1_000 });
    expect(changes).toEqual(['open']);
  });

  it('a success in between resets the count', () => {
    const { subject } = breaker(3);
    subject.recordFailure(false);
    subject.recordFailure(false);
    subject.recordSuccess(false);
    subject.recordFailure(false);
    subject.recordFailure(false);
    expect(subject.state).toBe('closed');
  });

  it('lets one probe through once the open period is over; its success closes the circuit', () => {
    const { subject, changes, advance } = breaker(1, 1_000);
    subject.recordFailure(false);
    advance(999);
    expect(subject.admit().allowed).toBe(false);
    advance(1);
    expect(subject.state).toBe('half-open');
    expect(subject.admit()).toEqual({ allowed: true, probe: true });
    expect(subject.admit().allowed).toBe(false);
    subject.recordSuccess(true);
    expect(subject.state).toBe('closed');
    expect(subject.admit()).toEqual({ allowed: true, probe: false });
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe opens the circuit for another period', () => {
    const { subject, advance } = breaker(1, 1_000);
    subject.recordFailure(false);
    advance(1_000);
    expect(subject.admit()).toEqual({ allowed: true, probe: true });
    advance(500);
    subject.recordFailure(true);
    expect(subject.state).toBe('open');
    advance(999);
    expect(subject.admit().allowed).toBe(false);
    advance(1);
    expect(subject.admit()).toEqual({ allowed: true, probe: true });
  });

  it('late failures of calls sent before it opened do not extend the open period', () => {
    const { subject, advance } = breaker(1, 1_000);
    subject.recordFailure(false);
    advance(600);
    subject.recordFailure(false);
    advance(400);
    expect(subject.admit()).toEqual({ allowed: true, probe: true });
  });
});

describe('an attempt the gateway abandons before it reaches Kazoo', () => {
  it('frees the probe slot of a half-open circuit and changes nothing else', () => {
    const { subject, changes, advance } = breaker(1, 1_000);
    subject.recordFailure(false);
    advance(1_000);
    expect(subject.admit()).toEqual({ allowed: true, probe: true });
    subject.abandon(true);
    expect(subject.state).toBe('half-open');
    expect(subject.admit()).toEqual({ allowed: true, probe: true });
    expect(changes).toEqual(['open', 'half-open']);
  });
});
