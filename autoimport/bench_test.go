package autoimport_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/contactkit/contactkit/autoimport"
	"github.com/contactkit/contactkit/autoimport/memstate"
	"github.com/contactkit/contactkit/importer"
	"github.com/contactkit/contactkit/importer/memstore"
)

// BenchmarkFullSync measures the library's own cost of a first sync of
// 2,000 records in pages of 500 (an in-memory connector, no HTTP), custom
// fields included, into an empty memstore.
func BenchmarkFullSync(b *testing.B) {
	t0 := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	conn := &shop{}
	for i := range 2000 {
		conn.customers = append(conn.customers, autoimport.Record{ID: fmt.Sprint(i), Updated: t0.Add(time.Duration(i) * time.Second),
			Fields: map[string]string{"mail": fmt.Sprintf("p%d@example.com", i), "given": "P", "Loyalty Tier": "gold", "Store": "Madrid"}})
	}
	b.ReportAllocs()
	for range b.N {
		contacts := memstore.New()
		r, err := autoimport.NewRunner(autoimport.Config{
			State: memstate.New(), Connectors: []autoimport.Connector{&pageSize{conn, 500}},
			Contacts: func(context.Context, string) (importer.Store, error) { return contacts, nil },
			Fields:   memstate.NewFields(nil, nil), Sealer: autoimport.PlaintextSealer{},
		})
		if err != nil {
			b.Fatal(err)
		}
		imp, err := r.Create(b.Context(), autoimport.Definition{Workspace: "w", Service: "shop", Account: "a"}, autoimport.NewSecret("shop-key"))
		if err != nil {
			b.Fatal(err)
		}
		rec, err := r.Run(b.Context(), imp.Ref())
		if err != nil || rec.Created != 2000 {
			b.Fatal(rec, err)
		}
	}
}

// pageSize changes a connector's page limit.
type pageSize struct {
	autoimport.Connector
	n int
}

func (p *pageSize) Info() autoimport.Info {
	i := p.Connector.Info()
	i.PageLimit = p.n
	return i
}
