/** What a section shows when it has never had data: why, never a blank panel. */
export function ViewErrorNotice({ message }: { message: string }) {
  return (
    <div className="section-error" role="alert" data-testid="view-error">
      <p>{message}</p>
    </div>
  );
}
