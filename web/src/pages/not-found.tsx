// Any path the app does not know, and pages the person may not use.
import { PageHeading, useDocumentTitle } from '../components/page';
import { Link, paths } from '../router';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>There is no page at this address.</p>
      <p>
        <Link href={paths.tasks()}>Go to My tasks</Link>
      </p>
    </>
  );
}

export function NotAllowedPage() {
  useDocumentTitle('Not available');
  return (
    <>
      <PageHeading>Not available</PageHeading>
      <p>This page is for coordinators and administrators.</p>
      <p>
        <Link href={paths.tasks()}>Go to My tasks</Link>
      </p>
    </>
  );
}
