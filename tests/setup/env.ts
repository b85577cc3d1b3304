// Every test process: UTC clock zone, so nothing depends on the machine's zone (CONVENTIONS.md).
process.env['TZ'] = 'UTC';
