import './base.css';
import './compare.css';
import './navigator.css';
