// Cheap password hashes for the accounts tests make, and for the app or a served child that makes
// them (the stored hash keeps its own cost; production uses 2^17). Imported for this effect by
// builders.ts and server.ts.
process.env['TRUYVET_SCRYPT_LOG2N'] = '10';
