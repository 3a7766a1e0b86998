/**
 * The asset page's feedback section: how far consumers trust the asset (average stars, how the
 * ratings spread), what they said and reported (reports with their status, movable by editors),
 * and a form to rate, comment or report a problem. From `/api/assets/:name/feedback`.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { AssetFeedbackBody, FeedbackBody, FeedbackKind, MeBody, TrustSummaryBody } from '@weir/core';
import { api, feedbackApi } from './api.js';
import { ReportActions, ReportStatus, Said, Stars } from './feedback-parts.js';

const kindLabels: Record<FeedbackKind, string> = { rating: 'Rate trust', comment: 'Comment', report: 'Report a problem' };
const TEXT_LIMIT = 2000;

/**
 * The section.
 *
 * @example
 * ```tsx
 * <AssetFeedback asset="orders" />
 * ```
 */
export function AssetFeedback({ asset }: { asset: string }) {
  const [body, setBody] = useState<AssetFeedbackBody>();
  const [error, setError] = useState<string>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    // The old list stays on screen while the new one loads: no flash after each submission.
    feedbackApi.forAsset(asset).then(
      (value) => live && (setBody(value), setError(undefined)),
      (failure: unknown) => live && setError(failure instanceof Error ? failure.message : String(failure)),
    );
    return () => {
      live = false;
    };
  }, [asset, version]);
  const reload = () => setVersion((n) => n + 1);
  return (
    <section className="feedback" data-testid="feedback">
      <h2>Feedback</h2>
      {error && <p className="error">{error}</p>}
      {body && (
        <div className="feedback-grid">
          <div>
            <Trust trust={body.trust} />
            <FeedbackForm asset={asset} submitted={reload} />
          </div>
          <FeedbackList items={body.items} canChangeStatus={body.canChangeStatus} changed={reload} />
        </div>
      )}
    </section>
  );
}

function Trust({ trust }: { trust: TrustSummaryBody }) {
  const most = Math.max(1, ...trust.distribution);
  return (
    <div className="trust" data-testid="trust">
      {trust.average === null ? (
        <p className="hint">No one has rated this asset yet.</p>
      ) : (
        <div className="trust-head">
          <b data-testid="trust-average">{trust.average.toFixed(1)}</b>
          <div>
            <Stars value={trust.average} size={20} />
            <div className="hint">
              {trust.ratings} rating{trust.ratings === 1 ? '' : 's'}
            </div>
          </div>
        </div>
      )}
      {trust.ratings > 0 && (
        <div className="trust-bars">
          {[5, 4, 3, 2, 1].map((stars) => (
            <div key={stars} className="trust-bar">
              <span>{stars}★</span>
              <span className="bar-track">
                <span className="bar-fill" style={{ width: `${(trust.distribution[stars - 1]! / most) * 100}%` }} />
              </span>
              <span>{trust.distribution[stars - 1]}</span>
            </div>
          ))}
        </div>
      )}
      <p className="trust-counts">
        {trust.comments} comment{trust.comments === 1 ? '' : 's'} ·{' '}
        <span className={trust.unresolvedReports > 0 ? 'check-fail' : ''} data-testid="unresolved-reports">
          {trust.unresolvedReports} unresolved report{trust.unresolvedReports === 1 ? '' : 's'}
        </span>{' '}
        of {trust.reports}
      </p>
    </div>
  );
}

function FeedbackForm({ asset, submitted }: { asset: string; submitted: () => void }) {
  const [kind, setKind] = useState<FeedbackKind>('rating');
  const [rating, setRating] = useState(0);
  const [hover, setHover] = useState(0);
  const [text, setText] = useState('');
  const [author, setAuthor] = useState(() => localStorage.getItem('weir:feedback-author') ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // With a token the server signs feedback with the token's name: no name field then.
  const [me, setMe] = useState<MeBody>(null);
  useEffect(() => {
    let live = true;
    api.me().then((value) => live && setMe(value), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  const ready = kind === 'rating' ? rating > 0 : text.trim() !== '';
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await feedbackApi.submit(asset, { kind, ...(rating > 0 ? { rating } : {}), ...(text.trim() === '' ? {} : { text }), ...(me !== null || author.trim() === '' ? {} : { author }) });
      localStorage.setItem('weir:feedback-author', author.trim());
      setRating(0);
      setText('');
      submitted();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="feedback-form" onSubmit={(event) => void send(event)} data-testid="feedback-form">
      <div className="segmented" role="radiogroup" aria-label="kind of feedback">
        {(Object.keys(kindLabels) as FeedbackKind[]).map((option) => (
          <button key={option} type="button" role="radio" aria-checked={kind === option} className={kind === option ? 'on' : ''} onClick={() => setKind(option)} data-kind={option}>
            {kindLabels[option]}
          </button>
        ))}
      </div>
      <div className="star-picker" onMouseLeave={() => setHover(0)}>
        <span className="hint">{kind === 'rating' ? 'How far do you trust this data?' : 'Trust (optional)'}</span>
        {[1, 2, 3, 4, 5].map((star) => (
          <button key={star} type="button" aria-label={`${star} star${star === 1 ? '' : 's'}`} data-star={star} className={(hover || rating) >= star ? 'star on' : 'star'} onMouseEnter={() => setHover(star)} onClick={() => setRating(star === rating ? 0 : star)}>
            ★
          </button>
        ))}
      </div>
      <textarea
        value={text}
        onChange={(event) => setText(event.target.value)}
        maxLength={TEXT_LIMIT}
        rows={3}
        aria-label="feedback text"
        placeholder={kind === 'report' ? 'What is wrong? Which rows, since when?' : kind === 'comment' ? 'What should others know about this data?' : 'Why this rating? (optional)'}
      />
      <div className="feedback-send">
        {me === null ? (
          <input value={author} onChange={(event) => setAuthor(event.target.value)} maxLength={100} placeholder="your name (optional)" aria-label="your name" />
        ) : (
          <span className="feedback-signed">
            as <b>{me.token}</b>
          </span>
        )}
        <span className="hint">
          {[...text].length}/{TEXT_LIMIT}
        </span>
        <button type="submit" className="primary" disabled={busy || !ready}>
          {kind === 'report' ? 'Report' : kind === 'comment' ? 'Comment' : 'Rate'}
        </button>
      </div>
      {error && <p className="error">{error}</p>}
    </form>
  );
}

function FeedbackList({ items, canChangeStatus, changed }: { items: FeedbackBody[]; canChangeStatus: boolean; changed: () => void }) {
  if (items.length === 0) return <p className="hint">No feedback yet: be the first to rate, comment or report.</p>;
  return (
    <ul className="feedback-list" data-testid="feedback-list">
      {items.map((item) => (
        <li key={item.id} className={`feedback-item kind-${item.kind}`} data-feedback={item.id} data-kind={item.kind}>
          <div className="feedback-meta">
            <span className="feedback-kind">{item.kind}</span>
            {item.status && <ReportStatus status={item.status} />}
            {item.rating !== null && <Stars value={item.rating} size={13} />}
            <span className="feedback-author">{item.author ?? 'anonymous'}</span>
            <Said at={item.at} />
          </div>
          {item.text && <p className="feedback-text">{item.text}</p>}
          {item.statusAt && (
            <p className="hint">
              {item.status} by {item.statusBy ?? 'local user'} <Said at={item.statusAt} />
              {item.statusNote && <>: {item.statusNote}</>}
            </p>
          )}
          {item.kind === 'report' && canChangeStatus && <ReportActions report={item} changed={changed} />}
        </li>
      ))}
    </ul>
  );
}
