import { useEffect, useRef } from 'react';

/** A screen's heading; takes the focus when the screen opens so keyboard and screen-reader users land on it. */
export function ScreenTitle({ children }: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h2 ref={ref} tabIndex={-1} className="screen-title">
      {children}
    </h2>
  );
}
