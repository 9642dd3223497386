// Package autoimport imports contacts from external services (CRMs, shops,
// project tools) on a schedule, so that nothing is ever missed or
// duplicated.
//
// (Documentation in progress.)
//
// # Errors
//
// See the exported sentinels and typed errors.
package autoimport
