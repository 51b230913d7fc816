//! Pagination shared by every list.

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QuerySelect, QueryTrait, Select};

use crate::error::PersistenceError;

/// A requested page: 1-based, with a size capped at [`PageRequest::MAX_PER_PAGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

impl PageRequest {
    pub const DEFAULT_PER_PAGE: u64 = 25;
    pub const MAX_PER_PAGE: u64 = 200;

    /// Clamps a caller's page and size into range, so a list can never be asked for everything at once.
    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            per_page: per_page
                .unwrap_or(Self::DEFAULT_PER_PAGE)
                .clamp(1, Self::MAX_PER_PAGE),
        }
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(None, None)
    }
}

/// One page of results and the total across all pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub per_page: u64,
    /// Every match, or the cap when the count was capped and reached it.
    pub total: u64,
    /// True when there are more matches than `total` says (see [`fetch_capped`]).
    pub total_capped: bool,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
            total_capped: self.total_capped,
        }
    }
}

/// Runs `query` for one page and counts the total, the one way every list in Vigil is paginated.
pub async fn fetch<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    page: PageRequest,
) -> Result<Page<E::Model>, PersistenceError>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    let total = query.clone().count(db).await?;
    let items = items(db, query, page).await?;
    Ok(page.answer(items, total, false))
}

/// Like [`fetch`], but counts at most `cap` matches: `SELECT COUNT(*) FROM (SELECT 1 … LIMIT cap + 1)`
/// stops reading after the cap, so a search that matches most of a large table costs no more to count
/// than one that matches a thousand. `total` is then `cap` and `total_capped` true. The page is read
/// first: when it is not full it is the last one and gives the total, and nothing is counted.
pub async fn fetch_capped<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    page: PageRequest,
    cap: u64,
) -> Result<Page<E::Model>, PersistenceError>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    let items = items(db, query.clone(), page).await?;
    let counted = match page.total_if_last(items.len()) {
        Some(total) => total,
        None => count_up_to(db, query, cap + 1).await?,
    };
    Ok(page.answer(items, counted.min(cap), counted > cap))
}

async fn items<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    page: PageRequest,
) -> Result<Vec<E::Model>, PersistenceError>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    Ok(query
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?)
}

/// How many rows `query` matches, reading at most `limit` of them.
async fn count_up_to<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    limit: u64,
) -> Result<u64, PersistenceError> {
    let mut matches = query.select_only().expr(Expr::cust("1")).limit(limit);
    QueryTrait::query(&mut matches).clear_order_by();
    let count = Query::select()
        .expr(Expr::cust("COUNT(*) AS num_items"))
        .from_subquery(matches.into_query(), "capped")
        .to_owned();
    Ok(match db.query_one(&count).await? {
        Some(row) => u64::try_from(row.try_get::<i64>("", "num_items")?).unwrap_or_default(),
        None => 0,
    })
}

impl PageRequest {
    /// The total, when a page of `shown` items must be the last one: it is not full, and it is not an
    /// empty page past the start (the list may have ended on an earlier page).
    fn total_if_last(&self, shown: usize) -> Option<u64> {
        let shown = u64::try_from(shown).ok()?;
        (shown < self.per_page && (shown > 0 || self.offset() == 0)).then(|| self.offset() + shown)
    }

    fn answer<T>(&self, items: Vec<T>, total: u64, total_capped: bool) -> Page<T> {
        Page {
            items,
            page: self.page,
            per_page: self.per_page,
            total,
            total_capped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PageRequest;

    #[test]
    fn clamps_page_and_size() {
        let request = PageRequest::new(Some(0), Some(10_000));
        assert_eq!(request.page, 1);
        assert_eq!(request.per_page, PageRequest::MAX_PER_PAGE);
        assert_eq!(PageRequest::new(Some(3), Some(20)).offset(), 40);
    }

    #[test]
    fn a_page_that_is_not_full_tells_the_total() {
        let third = PageRequest::new(Some(3), Some(20));
        assert_eq!(third.total_if_last(7), Some(47));
        assert_eq!(
            third.total_if_last(20),
            None,
            "a full page may not be the last"
        );
        assert_eq!(
            third.total_if_last(0),
            None,
            "the list may have ended earlier"
        );
        assert_eq!(
            PageRequest::new(Some(1), Some(20)).total_if_last(0),
            Some(0)
        );
    }
}
