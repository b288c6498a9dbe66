import type pg from 'pg';

/**
 * One session on the cluster connection. Its users (the scrape lock, NOTIFY) query it
 * independently, and a pg client must run one query at a time, so queries wait their turn.
 */
export class ClusterSession {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: pg.Client) {}

  query<Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<Row[]> {
    const result = this.tail.then(() => this.client.query<Row>(sql, values));
    // The next query waits for this one to settle, whether or not it failed.
    this.tail = result.catch(() => {});
    return result.then(({ rows }) => rows);
  }

  onNotification(listener: (notice: pg.Notification) => void): void {
    this.client.on('notification', listener);
  }
}
