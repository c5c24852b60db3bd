// Products: what the store sells as its webhooks described it (price, previous price,
// stock) and how many contacts are interested in each; a product's page lists who.
import type { InterestKind } from '../../db/schema';
import { formatInZone } from '../../lib/time';
import type { InterestedContactView, ProductView } from '../../stores/product-reads';
import type { StorePage } from '../../stores/store-reads';
import { EmptyState, TableHead } from '../components';
import { formatMoney } from '../../lib/money';
import { contactName } from './contacts-parts';

const INTEREST_LABELS: Record<InterestKind, string> = { viewed: 'Viewed', carted: 'Carted', back_in_stock: 'Back-in-stock alert' };

function stockLabel(inventory: number | null): string {
  if (inventory === null) return 'Not tracked';
  return inventory > 0 ? String(inventory) : 'Out of stock';
}

function Pager({ firstHref, nextHref }: { firstHref: string | null; nextHref: string | null }) {
  if (!firstHref && !nextHref) return null;
  return (
    <div class="pager">
      {firstHref ? (
        <a class="button secondary small" href={firstHref}>
          Back to the first page
        </a>
      ) : null}
      {nextHref ? (
        <a class="button secondary" href={nextHref}>
          Load more
        </a>
      ) : null}
    </div>
  );
}

function ProductsHeader({ title, description }: { title: string; description: string }) {
  return (
    <div class="page-header">
      <h1>{title}</h1>
      <p class="muted">{description}</p>
    </div>
  );
}

/** /app/products: one page of products, newest first. */
export function ProductsPage({ page, paged }: { page: StorePage<ProductView>; paged: boolean }) {
  return (
    <>
      <ProductsHeader title="Products" description="What your store sells, as its webhooks describe it, and how many contacts viewed, carted or asked to hear about each." />
      {page.rows.length || paged ? (
        <section class="card" aria-label="Products">
          <div class="table-wrap">
            <table class="table stack-tablet products-table">
              <TableHead
                columns={[
                  'Product',
                  'SKU',
                  { label: 'Price', numeric: true },
                  { label: 'Previous price', numeric: true },
                  { label: 'Stock', numeric: true },
                  { label: 'Interested contacts', numeric: true },
                ]}
              />
              <tbody>
                {page.rows.map((product) => (
                  <tr>
                    <td data-label="Product" class="break">
                      <a href={`/app/products/${product.id}`}>{product.title}</a>
                    </td>
                    <td data-label="SKU" class="break">
                      {product.sku}
                    </td>
                    <td data-label="Price" class="num">
                      {formatMoney(product.priceCents, product.currency)}
                    </td>
                    <td data-label="Previous price" class="num">
                      {product.previousPriceCents === null ? '—' : formatMoney(product.previousPriceCents, product.currency)}
                    </td>
                    <td data-label="Stock" class="num">
                      {stockLabel(product.inventory)}
                    </td>
                    <td data-label="Interested contacts" class="num">
                      {product.interestedContacts}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager firstHref={paged ? '/app/products' : null} nextHref={page.nextCursor ? `/app/products?${new URLSearchParams({ cursor: page.nextCursor })}` : null} />
        </section>
      ) : (
        <EmptyState title="No products yet">
          <p>Products arrive from your store's product webhooks (see Settings → Store connections). Each will be listed here with its price, previous price, stock and interested contacts.</p>
        </EmptyState>
      )}
    </>
  );
}

/** /app/products/:id: the product's figures and a page of its interested contacts. */
export function ProductPage({ product, interested, paged, timeZone }: { product: ProductView; interested: StorePage<InterestedContactView>; paged: boolean; timeZone: string }) {
  const base = `/app/products/${product.id}`;
  return (
    <>
      <p class="muted small">
        <a href="/app/products">← Products</a>
      </p>
      <ProductsHeader title={product.title} description={`SKU ${product.sku}`} />
      <section class="card" aria-label="Figures">
        <dl class="facts">
          <dt>Price</dt>
          <dd>{formatMoney(product.priceCents, product.currency)}</dd>
          <dt>Previous price</dt>
          <dd>
            {product.previousPriceCents === null ? '—' : formatMoney(product.previousPriceCents, product.currency)}
            {product.priceChangedAt ? <span class="muted small"> · changed {formatInZone(product.priceChangedAt, timeZone)}</span> : null}
          </dd>
          <dt>Stock</dt>
          <dd>
            {stockLabel(product.inventory)}
            {product.restockedAt ? <span class="muted small"> · restocked {formatInZone(product.restockedAt, timeZone)}</span> : null}
          </dd>
          <dt>Interested contacts</dt>
          <dd>{product.interestedContacts}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="interested-heading" id="interested">
        <h2 id="interested-heading">Interested contacts</h2>
        {interested.rows.length ? (
          <table class="table stack-tablet">
            <TableHead columns={['Contact', 'Interest', 'Latest']} />
            <tbody>
              {interested.rows.map((contact) => (
                <tr>
                  <td data-label="Contact" class="break">
                    <a href={`/app/contacts/${contact.id}`}>{contactName(contact) ?? contact.email ?? contact.phone ?? 'Unnamed contact'}</a>
                  </td>
                  <td data-label="Interest">{contact.kinds.map((kind) => INTEREST_LABELS[kind]).join(', ')}</td>
                  <td data-label="Latest">{formatInZone(contact.lastAt, timeZone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">Nobody yet: contacts appear here when they view or cart it, or ask to hear when it is back in stock.</p>
        )}
        <Pager firstHref={paged ? `${base}#interested` : null} nextHref={interested.nextCursor ? `${base}?${new URLSearchParams({ cursor: interested.nextCursor })}#interested` : null} />
      </section>
    </>
  );
}
