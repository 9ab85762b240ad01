"""Booking the free phone call: availability, free slots, bookings.

- models.py: each location's call schedule (weekly windows, call length,
  callers on duty, horizon, notice, one-off closures) and the bookings;
- slots.py: the pure slot computation (no queries, no clock);
- services.py: booking, changing and cancelling, guarded by the database;
- admin.py: the schedule admin and the per-day call sheet.
"""
