namespace MigCompat.Fleet.Tests.Storage;

/// <summary>
/// A clock the test moves by hand whose timers (<c>Task.Delay(d, clock)</c>, <c>CreateTimer</c>) fire
/// when <see cref="Advance"/> passes their due time, on the advancing thread: a background loop
/// driven by it runs one tick per step, and never by itself.
/// </summary>
internal sealed class SteppingTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<SteppingTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SteppingTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock and runs, in due order, every timer callback that falls due.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            SteppingTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due <= target).MinBy(t => t.Due);
                if (next is null)
                {
                    _now = target;
                    return;
                }

                _now = next.Due!.Value;
                next.Due = next.Period > TimeSpan.Zero ? _now + next.Period : null;
                if (next.Due is null)
                {
                    _timers.Remove(next);
                }
            }

            next.Fire();
        }
    }

    /// <summary>Waits (in real time) until some timer is armed: the background loop is idle, waiting for its next tick.</summary>
    public async Task WaitForArmedTimerAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            lock (_gate)
            {
                if (_timers.Count > 0)
                {
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2), limit.Token);
        }
    }

    private sealed class SteppingTimer(SteppingTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var fireNow = false;
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                Period = period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
                if (Due is not null)
                {
                    if (dueTime <= TimeSpan.Zero)
                    {
                        fireNow = true;
                        Due = Period > TimeSpan.Zero ? clock._now + Period : null;
                    }

                    if (Due is not null)
                    {
                        clock._timers.Add(this);
                    }
                }
            }

            if (fireNow)
            {
                Fire();
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._gate)
            {
                Due = null;
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
